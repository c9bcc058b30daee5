// The manager's start page: one link per function.
import { h, t } from '../lib/ui.js';
import { section } from '../lib/app.js';

export function homeSection(sections) {
  return () => section('appName', h('p.intro', { text: t('appDesc') }),
    h('div.fngrid.big', {}, ...sections.filter((s) => s.home).map((s) =>
      h('a.fn', { href: '#' + s.id, text: t(s.nav) }))));
}
