/**
 * v-sortable-headers on an n-data-table: its sortable column headers take the keyboard focus
 * (Tab), sort with Enter or Space like a click, and say their order to assistive technology
 * (aria-sort: ascending, descending or none). naive-ui renders the headers itself, so the
 * directive follows them with a MutationObserver (a sort, a language switch re-renders them).
 */
import type { Directive } from 'vue'

const observers = new WeakMap<HTMLElement, MutationObserver>()
const keyed = new WeakSet<HTMLElement>()

function orderOf(th: HTMLElement): 'ascending' | 'descending' | 'none' {
  const sorter = th.querySelector('.n-data-table-sorter')
  if (sorter?.classList.contains('n-data-table-sorter--asc')) return 'ascending'
  if (sorter?.classList.contains('n-data-table-sorter--desc')) return 'descending'
  return 'none'
}

function onKeydown(e: KeyboardEvent): void {
  if ((e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget) {
    e.preventDefault()
    ;(e.currentTarget as HTMLElement).click()
  }
}

function enhance(root: HTMLElement): void {
  for (const th of root.querySelectorAll<HTMLElement>('th.n-data-table-th--sortable')) {
    if (th.tabIndex !== 0) th.tabIndex = 0
    const order = orderOf(th)
    if (th.getAttribute('aria-sort') !== order) th.setAttribute('aria-sort', order)
    if (!keyed.has(th)) {
      keyed.add(th)
      th.addEventListener('keydown', onKeydown)
    }
  }
}

export const vSortableHeaders: Directive<HTMLElement> = {
  mounted(el) {
    enhance(el)
    const observer = new MutationObserver(() => enhance(el))
    observer.observe(el, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] })
    observers.set(el, observer)
  },
  beforeUnmount(el) {
    observers.get(el)?.disconnect()
    observers.delete(el)
  }
}
