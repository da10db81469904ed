import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BenchSettings } from '../../../electron/contract/bench-api';
import type { LabelPrinter } from '../../../electron/contract/printing';
import { ErrorNotice } from '../components/ErrorNotice';
import { catalogs, type MessageKey } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
import { useAppStore } from '../store/context';

const channels: ReadonlyArray<{ value: BenchSettings['releaseChannel']; label: MessageKey }> = [
  { value: 'stable', label: 'settings.channel.stable' },
  { value: 'lts', label: 'settings.channel.lts' },
  { value: 'staged', label: 'settings.channel.staged' },
  { value: 'canary', label: 'settings.channel.canary' },
];

/** Each language in its own words; one without a catalog yet says that it shows English. */
const languages: ReadonlyArray<{ value: BenchSettings['language']; label: string }> = [
  { value: 'en', label: 'English' },
  { value: 'de', label: 'Deutsch' },
  { value: 'fr', label: 'Français' },
];

const printerKindLabel: Record<LabelPrinter['kind'], MessageKey> = {
  download: 'settings.printer.download',
  zpl: 'settings.printer.zpl',
  system: 'settings.printer.system',
};

/** The zones Intl knows, offered while typing (an engine without the list offers none). */
const timeZones: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** Bench settings: everyone sees them; only an admin changes them (the services refuse anyone else). */
export function SettingsView() {
  const t = useT();
  const { settings, error, savedAt, load, save, role } = useAppStore(
    useShallow((state) => ({
      settings: state.settings,
      error: state.settingsError,
      savedAt: state.settingsSavedAt,
      load: state.loadSettings,
      save: state.saveSettings,
      role: state.session?.operator?.role,
    })),
  );
  const [draft, setDraft] = useState<BenchSettings | null>(null);
  const [edited, setEdited] = useState(false);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    void load();
  }, [load]);
  // Settings that (re)load while the admin is typing must not wipe the edits; a save adopts what was stored.
  useEffect(() => {
    if (!edited) setDraft(settings);
  }, [settings, edited]);
  const edit = (patch: Partial<BenchSettings>) => {
    setEdited(true);
    setDraft((current) => (current ? { ...current, ...patch } : current));
  };

  if (!draft) return <p className="loading">{t('settings.loading')}</p>;
  const admin = role === 'admin';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    void save({
      benchPort: draft.benchPort?.trim() ? draft.benchPort.trim() : null,
      serverUrl: draft.serverUrl?.trim() ? draft.serverUrl.trim() : null,
      language: draft.language,
      releaseChannel: draft.releaseChannel,
      workshopName: draft.workshopName,
      workshopAddress: draft.workshopAddress,
      timeZone: draft.timeZone,
      labelPrinter: draft.labelPrinter,
      documentPrinter: draft.documentPrinter,
    })
      .then((saved) => {
        if (saved) setEdited(false);
      })
      .finally(() => setSaving(false));
  };

  return (
    <section className="view" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <ErrorNotice error={error} testId="settings-error" />
      {!admin && <p className="hint">{t('settings.adminOnly')}</p>}
      <form className="form" onSubmit={submit}>
        <fieldset disabled={!admin} className="fieldset">
          <label htmlFor="settings-port">{t('settings.port')}</label>
          <input id="settings-port" value={draft.benchPort ?? ''} onChange={(event) => edit({ benchPort: event.target.value })} placeholder={t('common.portPlaceholder')} autoComplete="off" />
          <label htmlFor="settings-server">{t('settings.server')}</label>
          <input id="settings-server" value={draft.serverUrl ?? ''} onChange={(event) => edit({ serverUrl: event.target.value })} placeholder="https://bench-server.example" autoComplete="off" />
          <label htmlFor="settings-channel">{t('settings.channel')}</label>
          <select id="settings-channel" value={draft.releaseChannel} onChange={(event) => edit({ releaseChannel: event.target.value as BenchSettings['releaseChannel'] })}>
            {channels.map((channel) => (
              <option key={channel.value} value={channel.value}>
                {t(channel.label)}
              </option>
            ))}
          </select>
          <label htmlFor="settings-language">{t('settings.language')}</label>
          <select id="settings-language" value={draft.language} onChange={(event) => edit({ language: event.target.value as BenchSettings['language'] })}>
            {languages.map((language) => (
              <option key={language.value} value={language.value}>
                {language.value in catalogs ? language.label : `${language.label} (${t('settings.languageEnglishFallback')})`}
              </option>
            ))}
          </select>
          <label htmlFor="settings-workshop">{t('settings.workshop')}</label>
          <input id="settings-workshop" value={draft.workshopName} onChange={(event) => setDraft({ ...draft, workshopName: event.target.value })} autoComplete="organization" />
          <label htmlFor="settings-address">{t('settings.address')}</label>
          <textarea id="settings-address" value={draft.workshopAddress} onChange={(event) => setDraft({ ...draft, workshopAddress: event.target.value })} rows={2} />
          <label htmlFor="settings-time-zone">{t('settings.timeZone')}</label>
          <input id="settings-time-zone" value={draft.timeZone} onChange={(event) => setDraft({ ...draft, timeZone: event.target.value })} list="time-zones" autoComplete="off" />
          <datalist id="time-zones">
            {timeZones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <label htmlFor="settings-label-printer">{t('settings.labelPrinter')}</label>
          <select
            id="settings-label-printer"
            value={draft.labelPrinter.kind}
            onChange={(event) => {
              const kind = event.target.value as LabelPrinter['kind'];
              setDraft({ ...draft, labelPrinter: kind === 'zpl' ? { kind, host: '', port: 9100 } : kind === 'system' ? { kind, queue: '' } : { kind } });
            }}
          >
            {(['download', 'zpl', 'system'] as const).map((kind) => (
              <option key={kind} value={kind}>
                {t(printerKindLabel[kind])}
              </option>
            ))}
          </select>
          {draft.labelPrinter.kind === 'zpl' && (
            <>
              <label htmlFor="settings-printer-host">{t('settings.printerHost')}</label>
              <input
                id="settings-printer-host"
                value={draft.labelPrinter.host}
                onChange={(event) => draft.labelPrinter.kind === 'zpl' && setDraft({ ...draft, labelPrinter: { ...draft.labelPrinter, host: event.target.value.trim() } })}
                placeholder="192.168.1.50"
                autoComplete="off"
              />
              <label htmlFor="settings-printer-port">{t('settings.printerPort')}</label>
              <input
                id="settings-printer-port"
                type="number"
                min={1}
                max={65535}
                value={draft.labelPrinter.port}
                onChange={(event) => draft.labelPrinter.kind === 'zpl' && setDraft({ ...draft, labelPrinter: { ...draft.labelPrinter, port: Number(event.target.value) } })}
              />
            </>
          )}
          {draft.labelPrinter.kind === 'system' && (
            <>
              <label htmlFor="settings-label-queue">{t('settings.printerQueue')}</label>
              <input
                id="settings-label-queue"
                value={draft.labelPrinter.queue}
                onChange={(event) => draft.labelPrinter.kind === 'system' && setDraft({ ...draft, labelPrinter: { kind: 'system', queue: event.target.value.trim() } })}
                autoComplete="off"
              />
            </>
          )}
          <label htmlFor="settings-document-printer">{t('settings.documentPrinter')}</label>
          <select
            id="settings-document-printer"
            value={draft.documentPrinter.kind}
            onChange={(event) => setDraft({ ...draft, documentPrinter: event.target.value === 'system' ? { kind: 'system', queue: '' } : { kind: 'download' } })}
          >
            {(['download', 'system'] as const).map((kind) => (
              <option key={kind} value={kind}>
                {t(printerKindLabel[kind])}
              </option>
            ))}
          </select>
          {draft.documentPrinter.kind === 'system' && (
            <>
              <label htmlFor="settings-report-queue">{t('settings.reportQueue')}</label>
              <input
                id="settings-report-queue"
                value={draft.documentPrinter.queue}
                onChange={(event) => setDraft({ ...draft, documentPrinter: { kind: 'system', queue: event.target.value.trim() } })}
                autoComplete="off"
              />
            </>
          )}
          <button type="submit" className="button button--primary" data-testid="save-settings" disabled={saving} aria-busy={saving}>
            {saving ? t('common.saving') : t('settings.save')}
          </button>
        </fieldset>
        {savedAt !== null && (
          <p role="status" className="hint" data-testid="settings-saved">
            {t('settings.saved')}
          </p>
        )}
      </form>
    </section>
  );
}
