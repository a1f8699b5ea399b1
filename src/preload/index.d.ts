import type { DeskBridge } from '../renderer/src/api'

declare global {
  interface Window {
    smsdesk?: DeskBridge
  }
}
export {}
