/** Keyboard shortcuts of the desk view; docs/dashboard.md lists the same table. */
export const SHORTCUTS = [
  { key: '/', action: 'search', label: 'Focus the symbol search' },
  { key: '1', action: 'window-1', label: 'Chart window 1 minute' },
  { key: '2', action: 'window-5', label: 'Chart window 5 minutes' },
  { key: '3', action: 'window-15', label: 'Chart window 15 minutes' },
  { key: 'j', action: 'next', label: 'Focus next symbol' },
  { key: 'k', action: 'prev', label: 'Focus previous symbol' },
  { key: 'x', action: 'remove', label: 'Remove the focused symbol' },
  { key: 't', action: 'theme', label: 'Toggle dark / light theme' },
  { key: '?', action: 'help', label: 'Show or hide this help' },
] as const;

export type ShortcutAction = (typeof SHORTCUTS)[number]['action'];

/** The action bound to a key event, or null (typing in a field never triggers one). */
export function shortcutFor(ev: KeyboardEvent): ShortcutAction | null {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  const path = ev.composedPath();
  for (const el of path) {
    if (
      el instanceof HTMLElement &&
      (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable)
    ) {
      return null;
    }
  }
  return SHORTCUTS.find((s) => s.key === ev.key)?.action ?? null;
}
