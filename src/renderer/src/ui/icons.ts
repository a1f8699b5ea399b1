/** A few stroke icons as tiny render-function components (no icon package, nothing remote). */
import { defineComponent, h, type Component } from 'vue'

function icon(name: string, paths: string[]): Component {
  return defineComponent({
    name,
    setup() {
      return () =>
        h(
          'svg',
          {
            xmlns: 'http://www.w3.org/2000/svg',
            viewBox: '0 0 24 24',
            fill: 'none',
            stroke: 'currentColor',
            'stroke-width': '2',
            'stroke-linecap': 'round',
            'stroke-linejoin': 'round',
            'aria-hidden': 'true'
          },
          paths.map((d) => h('path', { d }))
        )
    }
  })
}

export const IconUsers = icon('IconUsers', [
  'M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2',
  'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z',
  'M22 21v-2a4 4 0 0 0-3-3.87',
  'M16 3.13a4 4 0 0 1 0 7.75'
])
export const IconSettings = icon('IconSettings', [
  'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
  'M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 1 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06A1.65 1.65 0 0 0 4.68 15a1.65 1.65 0 0 0-1.51-1H3a2 2 0 1 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06A1.65 1.65 0 0 0 9 4.68a1.65 1.65 0 0 0 1-1.51V3a2 2 0 1 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06A1.65 1.65 0 0 0 19.4 9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 1 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z'
])
export const IconSync = icon('IconSync', [
  'M21 12a9 9 0 0 1-15.5 6.2L3 16',
  'M3 21v-5h5',
  'M3 12a9 9 0 0 1 15.5-6.2L21 8',
  'M21 3v5h-5'
])
export const IconSun = icon('IconSun', [
  'M12 17a5 5 0 1 0 0-10 5 5 0 0 0 0 10z',
  'M12 1v2',
  'M12 21v2',
  'M4.22 4.22l1.42 1.42',
  'M18.36 18.36l1.42 1.42',
  'M1 12h2',
  'M21 12h2',
  'M4.22 19.78l1.42-1.42',
  'M18.36 5.64l1.42-1.42'
])
export const IconMoon = icon('IconMoon', ['M21 12.79A9 9 0 1 1 11.21 3 7 7 0 0 0 21 12.79z'])
export const IconMonitor = icon('IconMonitor', [
  'M20 3H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2z',
  'M8 21h8',
  'M12 17v4'
])
export const IconWarning = icon('IconWarning', [
  'M10.29 3.86 1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z',
  'M12 9v4',
  'M12 17h.01'
])
export const IconSearch = icon('IconSearch', ['M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z', 'M21 21l-4.35-4.35'])
export const IconCloudOff = icon('IconCloudOff', [
  'M22.61 16.95A5 5 0 0 0 18 10h-1.26a8 8 0 0 0-7.05-6M5 5a8 8 0 0 0 4 15h9a5 5 0 0 0 1.7-.3',
  'M1 1l22 22'
])
export const IconClock = icon('IconClock', ['M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z', 'M12 6v6l4 2'])
export const IconDatabase = icon('IconDatabase', [
  'M12 8c4.97 0 9-1.34 9-3s-4.03-3-9-3-9 1.34-9 3 4.03 3 9 3z',
  'M21 12c0 1.66-4 3-9 3s-9-1.34-9-3',
  'M3 5v14c0 1.66 4 3 9 3s9-1.34 9-3V5'
])
export const IconPlug = icon('IconPlug', [
  'M12 22v-5',
  'M9 8V2',
  'M15 8V2',
  'M18 8v5a4 4 0 0 1-4 4h-4a4 4 0 0 1-4-4V8z'
])
export const IconActivity = icon('IconActivity', ['M22 12h-4l-3 9L9 3l-3 9H2'])
export const IconChart = icon('IconChart', ['M3 3v18h18', 'M7 15l4-4 3 3 5-6'])
export const IconDownload = icon('IconDownload', [
  'M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4',
  'M7 10l5 5 5-5',
  'M12 15V3'
])
export const IconArrowLeft = icon('IconArrowLeft', ['M19 12H5', 'M12 19l-7-7 7-7'])
export const IconCopy = icon('IconCopy', [
  'M20 9h-9a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h9a2 2 0 0 0 2-2v-9a2 2 0 0 0-2-2z',
  'M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1'
])
export const IconFile = icon('IconFile', [
  'M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z',
  'M14 2v6h6',
  'M8 13h8',
  'M8 17h8'
])
export const IconCalendar = icon('IconCalendar', [
  'M19 4H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2z',
  'M16 2v4',
  'M8 2v4',
  'M3 10h18'
])
