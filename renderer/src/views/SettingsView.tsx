import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BenchSettings } from '../../../electron/contract/bench-api';
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
