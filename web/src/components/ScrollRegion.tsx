// A box that scrolls (a wide table, a timeline, a chart on a phone): a named region that takes focus,
// so that a keyboard user can scroll it with the arrow keys (WCAG 2.1.1; axe: scrollable-region-focusable).

export function ScrollRegion(props: {
  label: string;
  className?: string;
  children: React.ReactNode;
  /** False when it does not scroll (then it stays out of the Tab order). */
  focusable?: boolean;
  ref?: React.Ref<HTMLElement>;
}) {
  return (
    <section
      ref={props.ref}
      className={props.className ?? 'table-scroll'}
      aria-label={props.label}
      tabIndex={props.focusable === false ? undefined : 0}
    >
      {props.children}
    </section>
  );
}
