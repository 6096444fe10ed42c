// Tabs as the ARIA authoring practices describe them: a named tablist, one tab in the Tab order (the
// selected one), arrow keys, Home and End move between tabs and select them, each tab controls its panel.

export interface TabDef<T extends string> {
  id: T;
  label: React.ReactNode;
}

export function TabList<T extends string>(props: {
  /** The accessible name of the tablist ("Edit as", "Analysis", "Dialogue sections"). */
  label: string;
  /** Prefix of the tabs' and the panel's ids (unique on the page). */
  idPrefix: string;
  tabs: readonly TabDef<T>[];
  value: T;
  onChange: (t: T) => void;
  className?: string;
}) {
  const { tabs, value, idPrefix } = props;
  return (
    <div
      className={props.className ?? 'tabs'}
      role="tablist"
      aria-label={props.label}
      onKeyDown={(e) => {
        const i = tabs.findIndex((t) => t.id === value);
        const n = tabs.length;
        const to =
          e.key === 'ArrowRight' || e.key === 'ArrowDown'
            ? (i + 1) % n
            : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
              ? (i + n - 1) % n
              : e.key === 'Home'
                ? 0
                : e.key === 'End'
                  ? n - 1
                  : -1;
        if (to < 0 || n < 2) return;
        e.preventDefault();
        const next = tabs[to]!.id;
        props.onChange(next);
        document.getElementById(`${idPrefix}-tab-${next}`)?.focus();
      }}
    >
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${t.id}`}
          aria-controls={`${idPrefix}-panel`}
          aria-selected={value === t.id}
          tabIndex={value === t.id ? 0 : -1}
          className={value === t.id ? 'tab on' : 'tab'}
          onClick={() => props.onChange(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** The attributes of the panel a TabList controls. */
export function tabPanel(idPrefix: string, value: string) {
  return {
    id: `${idPrefix}-panel`,
    role: 'tabpanel',
    'aria-labelledby': `${idPrefix}-tab-${value}`,
  } as const;
}
