/**
 * The one export experience of every table: a table describes what it shows (an ExportSpec:
 * its filters, sort and columns) and calls `openDialog`; the export dialog asks for the
 * columns and the format, in Electron asks where to save ("Save as…": the backend keeps the
 * chosen file and answers with a handle, the renderer never names a path), starts the job, and
 * the progress cards follow it (rows / total, Cancel) until the file is written. The browser
 * mode exports to a generated name in the export folder and offers the file as a download.
 * Both are rendered once, by components/export/ExportCenter.vue in the app shell.
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import { call, downloadLink, onEvent } from '@renderer/api'
import type { ExportRequest } from '@shared/contract'
import type { ExportFormat, ExportJob, ExportTable } from '@shared/types'
import { currentLanguage } from '@renderer/i18n'

export interface ExportColumn {
  key: string
  label: string
  /** Checked when the dialog opens (default: true). */
  checked?: boolean
}

/** What a table shows, ready to be exported. */
export interface ExportSpec {
  table: ExportTable
  /** What is exported, as the dialog title says it ("Transactions — Acme"); a function follows the language. */
  title: string | (() => string)
  /** Every column the table can export, in the table's order. */
  columns: ExportColumn[]
  /** The table's filters and sort: one of the request's table sections. */
  request: Pick<ExportRequest, 'clients' | 'transactions' | 'statistics' | 'names'>
  /** A file name without extension, for "Save as…". */
  suggestedName: string
}

export interface ExportEntry {
  job: ExportJob
  title: string | (() => string)
  cancelling: boolean
}

const POLL_MS = 1_000
const FINAL = new Set(['done', 'failed', 'cancelled'])

/** True in Electron: "Save as…" asks where to write; the browser mode writes to generated names in the export folder. */
export function isElectron(): boolean {
  return typeof window !== 'undefined' && window.smsdesk !== undefined
}

/**
 * The browser mode's download link of a finished export (null in Electron): single-use and
 * valid 30 s, so it is asked for right when Download is clicked.
 */
export async function downloadUrl(job: ExportJob): Promise<string | null> {
  if (isElectron() || job.state !== 'done') return null
  return downloadLink(job.id)
}

/** A safe file name: letters, digits, dot, dash and underscore; the rest becomes "-". */
export function fileSafe(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^\p{L}\p{N}._-]+/gu, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 120) || 'export'
  )
}

export const useExportsStore = defineStore('exports', () => {
  // ---- The dialog ------------------------------------------------------------------------
  const dialog = reactive({
    show: false,
    spec: null as ExportSpec | null,
    selected: [] as string[],
    format: 'xlsx' as ExportFormat,
    busy: false,
    error: null as unknown
  })
  /** The columns last chosen per table, so a second export starts from the same choice. */
  const lastColumns = new Map<string, string[]>()

  function memoryKey(spec: ExportSpec): string {
    return `${spec.table}:${spec.columns.map((c) => c.key).join(',')}`
  }

  function openDialog(spec: ExportSpec): void {
    dialog.spec = spec
    const remembered = lastColumns.get(memoryKey(spec))
    dialog.selected = remembered ?? spec.columns.filter((c) => c.checked !== false).map((c) => c.key)
    dialog.error = null
    dialog.busy = false
    dialog.show = true
  }

  function closeDialog(): void {
    if (dialog.busy) return
    dialog.show = false
  }

  /** EXPORT: ask where (Electron: the save dialog's handle), start the job, hand it to the progress cards. */
  async function confirm(): Promise<ExportJob | null> {
    const spec = dialog.spec
    if (!spec || dialog.busy) return null
    // The table's own column order, whatever order the boxes were ticked in.
    const columns = spec.columns.map((c) => c.key).filter((k) => dialog.selected.includes(k))
    if (columns.length === 0) return null
    dialog.busy = true
    dialog.error = null
    try {
      let target: string | undefined
      if (isElectron()) {
        const chosen = await call('export.chooseFile', {
          suggestedName: `${fileSafe(spec.suggestedName)}.${dialog.format}`,
          format: dialog.format
        })
        if (chosen === null) return null // "Save as…" was cancelled: stay in the dialog
        target = chosen.target
      }
      const job = await call('export.start', {
        table: spec.table,
        format: dialog.format,
        columns,
        language: currentLanguage(),
        ...(target ? { target } : {}),
        ...spec.request
      })
      lastColumns.set(memoryKey(spec), columns)
      track(job, spec.title)
      dialog.show = false
      return job
    } catch (e) {
      dialog.error = e
      return null
    } finally {
      dialog.busy = false
    }
  }

  // ---- Jobs ------------------------------------------------------------------------------
  const entries = ref<ExportEntry[]>([])
  const running = computed(() => entries.value.filter((e) => e.job.state === 'running'))
  let subscribed = false
  let timer: ReturnType<typeof setInterval> | null = null

  function update(job: ExportJob): void {
    const entry = entries.value.find((e) => e.job.id === job.id)
    if (!entry) return
    // Events and polls may cross: a final state is never replaced by an older running one.
    if (FINAL.has(entry.job.state) && !FINAL.has(job.state)) return
    entry.job = job
    if (FINAL.has(job.state)) entry.cancelling = false
    if (running.value.length === 0) stopPolling()
  }

  function subscribe(): void {
    if (subscribed) return
    subscribed = true
    onEvent('export.progress', (job) => update(job))
  }

  /** Polling next to the events, in case one is missed (and for the final state). */
  function startPolling(): void {
    if (timer) return
    timer = setInterval(() => {
      for (const e of running.value) {
        call('export.status', { id: e.job.id })
          .then(update)
          .catch((err: unknown) => {
            // The backend no longer knows the job (e.g. it was restarted): it will not finish.
            const lost = err as { code?: string; params?: { field?: unknown } }
            if (lost.code !== 'not_found' && !(lost.code === 'invalid_input' && lost.params?.field === 'id')) return
            const { code, message } = err as { code: string; message: string }
            update({ ...e.job, state: 'failed', error: { code, message }, finishedAt: new Date().toISOString() })
          })
      }
    }, POLL_MS)
  }

  function stopPolling(): void {
    if (timer) clearInterval(timer)
    timer = null
  }

  function track(job: ExportJob, title: ExportSpec['title']): void {
    subscribe()
    entries.value.unshift({ job, title, cancelling: false })
    if (!FINAL.has(job.state)) startPolling()
  }

  async function cancel(id: string): Promise<void> {
    const entry = entries.value.find((e) => e.job.id === id)
    if (!entry || FINAL.has(entry.job.state)) return
    entry.cancelling = true
    try {
      await call('export.cancel', { id })
      update(await call('export.status', { id }))
    } catch {
      entry.cancelling = false
    }
  }

  function dismiss(id: string): void {
    entries.value = entries.value.filter((e) => e.job.id !== id)
  }

  return { dialog, openDialog, closeDialog, confirm, entries, running, cancel, dismiss }
})

/** A spec's or a job's title in the current language. */
export function titleText(title: ExportSpec['title']): string {
  return typeof title === 'function' ? title() : title
}

/** The composable a table uses: `const { open } = useExport(); open(spec)`. */
export function useExport(): { open: (spec: ExportSpec) => void } {
  const store = useExportsStore()
  return { open: (spec) => store.openDialog(spec) }
}
