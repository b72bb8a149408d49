#!/usr/bin/env bash
# Regenerates every prompt WAV under this folder: Japanese with Open JTalk, English with
# espeak-ng, then sox to 8 kHz 16-bit mono with the silence at both ends trimmed and 100 ms
# put back. The WAVs are committed; CI never runs this. Packages (Debian; the voice is in
# the contrib component): open-jtalk open-jtalk-mecab-naist-jdic
# hts-voice-nitech-jp-atr503-m001 espeak-ng sox. Wording: ../README.md.
set -euo pipefail
cd "$(dirname "$0")"

dictionary=/var/lib/mecab/dic/open-jtalk/naist-jdic
voice=/usr/share/hts-voice/nitech-jp-atr503-m001/nitech_jp_atr503_m001.htsvoice
for tool in open_jtalk espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-prompts: $tool is not installed" >&2; exit 1; }
done
for f in "$dictionary" "$voice"; do
  [ -e "$f" ] || { echo "make-prompts: $f is missing" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# raw WAV → the shipped format. -D: no dither, so the same input gives the same file.
# silence … reverse silence … reverse: trim quiet (below -45 dB) from both ends; pad: 100 ms back.
finish() {
  sox -D "$1" -r 8000 -c 1 -b 16 -e signed-integer "$2" \
    silence 1 0.02 -45d reverse silence 1 0.02 -45d reverse \
    gain -n -6 highpass 120 norm -3 pad 0.1 0.1
}

# $3: speaking rate; the long anonymous-call guidance is spoken a little faster to stay near 6 s.
japanese() {
  local name=$1 text=$2 speed=${3:-1.1}
  mkdir -p ja
  printf '%s\n' "$text" >"$work/$name.txt"
  open_jtalk -x "$dictionary" -m "$voice" -r "$speed" -ow "$work/$name-ja.wav" "$work/$name.txt"
  finish "$work/$name-ja.wav" "ja/$name.wav"
}

english() {
  local name=$1 text=$2 speed=${3:-160}
  mkdir -p en
  espeak-ng -v en-gb -s "$speed" -w "$work/$name-en.wav" "$text"
  finish "$work/$name-en.wav" "en/$name.wav"
}

# 186 is read digit by digit (いち はち ろく), as callers dial it, not as a hundred and eighty-six.
japanese anonymous-rejected 'おそれいりますが、電話番号を通知しておかけ直しください。番号の前に、いちはちろくをつけておかけください。' 1.3
japanese nuisance-blocked 'おかけになった電話はお受けできません。'
japanese international-barred 'おかけになった国際電話は、お客様のお申し出により、ご利用いただけません。'
japanese outgoing-restricted 'この電話からは、おかけになった番号へは発信できません。'

english anonymous-rejected 'The person you are calling does not accept calls from withheld numbers. Please dial 1 8 6 before the number and call again.' 185
english nuisance-blocked 'The person you are calling does not accept your call.'
english international-barred 'The international call you dialled is unavailable at your request.'
english outgoing-restricted 'Calls to the number you dialled cannot be made from this phone.'

for f in ja/*.wav en/*.wav; do
  printf '%-36s %ss\n' "$f" "$(soxi -D "$f")"
done
