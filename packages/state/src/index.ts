export { createStateStore, type CreateStateStoreOptions } from './create-state-store.ts';
export {
  MemoryStateStore,
  MemoryBackend,
  type MemoryStateStoreOptions,
} from './memory/memory-state-store.ts';
export { RedisStateStore, type RedisStateStoreOptions } from './redis/redis-state-store.ts';
export {
  systemClock,
  settingsChangedChannel,
  messageWaitingChannel,
  huntPositionTtlMs,
  type Binding,
  type BindingFlow,
  type ChannelStore,
  type Clock,
  type HuntRotation,
  type MessageHandler,
  type RegistrationStore,
  type StateStore,
} from './types.ts';
