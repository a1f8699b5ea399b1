/**
 * What a feature adds to the router: its sidebar entries (in the order they appear in the
 * menu) and its other pages. router.ts concatenates the features' routes in menu order.
 */
import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'

/** A screen in the sidebar: path, view, menu label key, icon and the data-testid of its link. */
export interface NavRoute {
  path: string
  name: string
  component: () => Promise<Component>
  /** i18n key of the menu label and the page title. */
  titleKey: string
  icon: Component
  testId: string
  /** Menu section: 'main' on top, 'footer' pinned to the bottom of the sidebar. */
  section: 'main' | 'footer'
}

export interface FeatureRoutes {
  /** The feature's sidebar entries. */
  nav: NavRoute[]
  /** Its pages that are not in the menu (e.g. the client page under Clients, via meta.nav). */
  pages?: RouteRecordRaw[]
}
