/**
 * The only module that touches @vscode/webview-ui-toolkit: it registers the components the page
 * uses and exposes tiny factories, so the toolkit (archived upstream) can be swapped for plain
 * elements or another library by changing this file alone.
 */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDivider, vsCodeTextField } from '@vscode/webview-ui-toolkit';

let registered = false;

/** Registers the toolkit's custom elements once. */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeTextField(), vsCodeDivider());
}

/** A toolbar button. `appearance` secondary/icon for less prominent actions. */
export function button(label: string, opts: { title?: string; appearance?: 'primary' | 'secondary' | 'icon'; onClick: () => void }): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.setAttribute('appearance', opts.appearance ?? 'secondary');
  if (opts.title) {
    b.setAttribute('title', opts.title);
    b.setAttribute('aria-label', opts.title);
  }
  b.addEventListener('click', () => opts.onClick());
  return b;
}

/**
 * A labelled checkbox; `onChange` receives the checked state after each change (the toolkit may
 * also report a change while the element initialises: handlers must be idempotent).
 */
export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement & { checked: boolean } {
  const c = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  c.textContent = label;
  c.checked = checked;
  if (checked) c.setAttribute('checked', '');
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

/** A text field; `onInput` receives its value on every keystroke. */
export function textField(placeholder: string, ariaLabel: string, onInput: (value: string) => void): HTMLElement & { value: string } {
  const t = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  t.setAttribute('placeholder', placeholder);
  t.setAttribute('aria-label', ariaLabel);
  t.addEventListener('input', () => onInput(t.value ?? ''));
  return t;
}

/** A horizontal separator between sections. */
export function divider(): HTMLElement {
  const d = document.createElement('vscode-divider');
  d.setAttribute('role', 'separator');
  return d;
}
