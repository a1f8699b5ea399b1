/** A single-key shortcut of a screen ("/" focuses the search), ignored while the user types in a field. */
import { onBeforeUnmount, onMounted } from 'vue'

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el || !el.tagName) return false
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)
}

export function useHotkey(key: string, action: () => void): void {
  const onKeydown = (e: KeyboardEvent): void => {
    if (e.key !== key || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e.target)) return
    e.preventDefault()
    action()
  }
  onMounted(() => window.addEventListener('keydown', onKeydown))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeydown))
}
