// The manager page's sections, in menu order: one entry each. A new function is one file in this folder and one
// line here. id: the #hash; nav: the menu label key; title: the title key of its login page; needsLogin: the
// login form is shown first; home: also a tile on the start page; show(token, nav) renders and returns the title.
import { showQuery } from './query.js';
import { wizard } from './wizard.js';
import { showImport } from './import.js';
import { showBackup } from './backup.js';
import { showList } from './list.js';
import { showRevoke } from './revoke.js';
import { showInstall } from './install.js';
import { showCleanup } from './cleanup.js';
import { showSelfTest } from './selftest.js';
import { app, section } from '../lib/app.js';

export const SECTIONS = [
  { id: 'query', nav: 'fnQuery', title: 'queryTitle', show: showQuery, home: true },
  { id: 'apply', nav: 'fnApply', title: 'applyTitle', show: wizard('apply'), needsLogin: true, home: true },
  { id: 'renew', nav: 'fnRenew', title: 'renewTitle', show: wizard('renew'), needsLogin: true, home: true },
  { id: 'import', nav: 'fnImport', title: 'importTitle', show: showImport, home: true },
  { id: 'backup', nav: 'fnBackup', title: 'backupTitle', show: showBackup, home: true },
  { id: 'list', nav: 'fnList', title: 'listTitle', show: showList, needsLogin: true, home: true },
  { id: 'revoke', nav: 'fnRevoke', title: 'revokeTitle', show: showRevoke, home: true },
  { id: 'install', nav: 'fnInstall', title: 'installTitle', show: showInstall, home: true },
  { id: 'cleanup', nav: 'fnCleanup', title: 'fnCleanup', show: showCleanup, needsLogin: true },
  { id: 'selftest', nav: 'fnSelfTest', title: 'fnSelfTest', show: (tk) => showSelfTest(section, tk, (x) => x === app.token) },
];
