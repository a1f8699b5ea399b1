/** Small shared composables. */
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** A clock that ticks every `intervalMs`, for relative times ("5 minutes ago"). */
export function useNow(intervalMs = 15_000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | null = null
  onMounted(() => {
    timer = setInterval(() => (now.value = Date.now()), intervalMs)
  })
  onBeforeUnmount(() => {
    if (timer) clearInterval(timer)
  })
  return now
}
