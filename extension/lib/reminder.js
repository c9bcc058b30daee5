// The expiry reminder's last finding as the pages show it (background/reminder.js keeps it in storage.local):
// whose certificate (masked ID), at which broker, and when (the local date). null when no certificate here needs care.
import { api } from './host.js';
import { t } from './i18n.js';
import { brokerName } from './brokers.js';

export async function reminderNote() {
  const { reminder } = await api.storage.local.get('reminder');
  const c = reminder && reminder.nearest;
  if (!c || (reminder.state !== 'renew' && reminder.state !== 'expired')) return null;
  const date = new Date(c.not_after).toLocaleDateString(api.i18n.getUILanguage());
  const expired = reminder.state === 'expired';
  const text = expired ? t('remindExpiredBody', [c.masked_id, date]) : t('remindBody', [c.masked_id, date, c.days_left]);
  return { state: reminder.state, suggestion: expired ? 'apply' : 'renew', broker: c.broker ? c.broker.id : null,
    text: c.broker ? t('withBroker', [brokerName(c.broker), text]) : text };
}
