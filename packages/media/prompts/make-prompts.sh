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

# Voicemail (SPEC §3.11): deposit, retrieval menu, counts read out as numbers.
japanese vm-greeting 'ただいま電話に出ることができません。発信音のあとに、メッセージをお話しください。'
japanese vm-greeting-announce-only 'ただいま電話に出ることができません。のちほどおかけ直しください。'
japanese vm-box-full 'メッセージボックスがいっぱいのため、メッセージをお預かりできません。'
japanese vm-recorded 'メッセージをお預かりしました。'
japanese vm-enter-box 'メッセージボックスの番号を入力し、最後にシャープを押してください。'
japanese vm-enter-pin '暗証番号を入力し、最後にシャープを押してください。'
japanese vm-wrong-pin '暗証番号が違います。'
japanese vm-locked '暗証番号の誤りが続いたため、このメッセージボックスは、しばらくご利用いただけません。' 1.2
japanese vm-new-before '新しいメッセージは、'
japanese vm-new-after '件です。'
japanese vm-saved-before '保存されたメッセージは、'
japanese vm-saved-after '件です。'
japanese vm-main-menu 'メッセージを聞くには1を、応答メッセージを録音するには3を、終了するには9を押してください。' 1.2
japanese vm-message-menu 'もう一度聞くには1を、削除するには7を、次のメッセージへ進むには9を押してください。' 1.2
japanese vm-deleted '削除しました。'
japanese vm-no-more 'メッセージは以上です。'
japanese vm-record-greeting '発信音のあとに、応答メッセージをお話しください。終わりましたらシャープを押してください。' 1.2
japanese vm-greeting-saved '応答メッセージを登録しました。'
japanese vm-invalid '入力が正しくありません。'
japanese vm-goodbye 'ご利用ありがとうございました。'

english vm-greeting 'The person you are calling cannot take your call. Please leave a message after the tone.'
english vm-greeting-announce-only 'The person you are calling cannot take your call. Please call again later.'
english vm-box-full 'The mailbox is full, so your message cannot be recorded.'
english vm-recorded 'Your message has been recorded. Goodbye.'
english vm-enter-box 'Please enter your mailbox number, followed by the hash key.'
english vm-enter-pin 'Please enter your PIN, followed by the hash key.'
english vm-wrong-pin 'That PIN is not correct.'
english vm-locked 'Too many wrong PINs. This mailbox is locked for a while.'
english vm-new-before 'You have'
english vm-new-after 'new messages.'
english vm-saved-before 'and'
english vm-saved-after 'saved messages.'
english vm-main-menu 'To listen to your messages, press 1. To record your greeting, press 3. To finish, press 9.' 170
english vm-message-menu 'To hear it again, press 1. To delete it, press 7. For the next message, press 9.' 170
english vm-deleted 'Message deleted.'
english vm-no-more 'There are no more messages.'
english vm-record-greeting 'Please record your greeting after the tone, and press the hash key when you are done.'
english vm-greeting-saved 'Your greeting has been saved.'
english vm-invalid 'That is not a valid choice.'
english vm-goodbye 'Goodbye.'

# Numbers 0-20 as words, so a count is read as one word; the TTS is given kana and words, not
# digits, so it cannot pick another reading (4 is よん and 7 なな, as in counting messages).
# 2 and 5 are lengthened (にー, ごー) as digits are read out on the phone, and all are spoken
# slower: alone, a one-mora word is too short to be heard clearly.
ja_numbers=(ぜろ いち にー さん よん ごー ろく なな はち きゅう じゅう じゅういち じゅうに じゅうさん
  じゅうよん じゅうご じゅうろく じゅうなな じゅうはち じゅうきゅう にじゅう)
en_numbers=(zero one two three four five six seven eight nine ten eleven twelve thirteen
  fourteen fifteen sixteen seventeen eighteen nineteen twenty)
for n in $(seq 0 20); do
  japanese "num-$n" "${ja_numbers[$n]}" 0.8
  english "num-$n" "${en_numbers[$n]}"
done

# The tone before a recording: 1 kHz, 400 ms, peak -12 dBFS, with 5 ms fades against clicks;
# the same file in both language folders.
for language in ja en; do
  sox -D -n -r 8000 -c 1 -b 16 -e signed-integer "$language/beep.wav" \
    synth 0.4 sine 1000 gain -12 fade 0.005 0.4 0.005
done

for f in ja/*.wav en/*.wav; do
  printf '%-36s %ss\n' "$f" "$(soxi -D "$f")"
done
