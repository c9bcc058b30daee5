// The manager's start page: the expiry reminder's finding (whose certificate, and when), then one link per function.
import { h, t } from '../lib/ui.js';
import { section } from '../lib/app.js';
import { reminderNote } from '../lib/reminder.js';

export function homeSection(sections) {
  return async () => {
    const note = await reminderNote();
    return section('appName', h('p.intro', { text: t('appDesc') }),
      note ? h('div.banner.warn#remind-banner', { role: 'status', 'data-state': note.state },
        h('p', { text: note.text }), h('a.button#remind-go', { href: '#' + note.suggestion, text: t(note.suggestion === 'apply' ? 'fnApply' : 'fnRenew') })) : null,
      h('div.fngrid.big', {}, ...sections.filter((s) => s.home).map((s) =>
        h('a.fn', { href: '#' + s.id, text: t(s.nav) }))));
  };
}
