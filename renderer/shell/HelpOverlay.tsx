import { MOUSE_HELP, SHORTCUTS } from '../viewer/shortcuts.ts';
import { Dialog } from './Dialog.tsx';

export function HelpOverlay({ onClose }: { onClose(): void }) {
  const groups = [
    ['Worklist', SHORTCUTS.filter((s) => s.scope === 'worklist')],
    ['Viewer', SHORTCUTS.filter((s) => s.scope === 'viewer')],
    ['Everywhere', SHORTCUTS.filter((s) => s.scope === 'app')],
  ] as const;
  return (
    <Dialog title="Keyboard and mouse" onClose={onClose} wide testId="help">
      <div className="help-columns">
        {groups.map(([title, list]) => (
          <section key={title}>
            <h3>{title}</h3>
            <dl className="shortcuts">
              {list.map((s) => (
                <div key={s.action}>
                  <dt>
                    <kbd>{s.label}</kbd>
                  </dt>
                  <dd>{s.action}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
        <section>
          <h3>Mouse</h3>
          <dl className="shortcuts">
            {MOUSE_HELP.map(([k, v]) => (
              <div key={k}>
                <dt>
                  <kbd>{k}</kbd>
                </dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
    </Dialog>
  );
}
