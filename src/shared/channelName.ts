/**
 * The form of a channel name: dotted lower-camel-case segments, at least two ("clients.list",
 * "reports.schedules.list", "apiReports.list2"). The browser bridge routes any such name to the
 * backend, whose contract says whether it exists; every name of the contract has this form.
 */
export const CHANNEL_NAME = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/
export const CHANNEL_NAME_MAX = 100

export function isChannelName(name: string): boolean {
  return name.length <= CHANNEL_NAME_MAX && CHANNEL_NAME.test(name)
}
