/**
 * Entry of the diagram page (bundled to dist/webview/main.js, with main.css from the import below).
 * The same bundle runs inside the VS Code webview and in the standalone HTML report.
 */
import './style.css';
import { DiagramApp } from './app';
import { createHostAdapter } from './host';

function boot(): void {
  const root = document.getElementById('cd-root') ?? document.body;
  let app: DiagramApp | undefined;
  const pending: string[] = [];
  const notify = (text: string): void => (app ? app.notify(text) : void pending.push(text));
  const host = createHostAdapter(notify);
  app = new DiagramApp(root, host);
  (window as unknown as { cdApp: DiagramApp }).cdApp = app;
  app.start();
  for (const p of pending) app.notify(p);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
