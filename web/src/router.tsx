// A small history-API router: the path is the state.
import { useEffect, useRef, useState } from 'react';

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The heading of the page being left (focus must not land on it while the next page loads). */
let leaving: Element | null = null;

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => {
      leaving = document.querySelector('main h1');
      setPath(location.pathname);
    };
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path;
}

/** Matches `/w/:ws/s/:id`-style patterns; returns the parameters or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) out[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
    else if (p[i] !== s[i]) return undefined;
  }
  return out;
}

/**
 * Moves focus to the page's heading when the page changes (not on the first load, nor when only a
 * talks tab changes: the tabs keep focus) and returns what to announce in the live region: the
 * heading's text. The heading may come after data loads, so it is waited for (up to 8 s).
 */
export function useRouteFocus(path: string): string {
  const [said, setSaid] = useState('');
  const page = path.replace(/^(\/talks\/[^/]+)\/[^/]+$/, '$1');
  const first = useRef(true);
  const hash = location.hash;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each change of page or of the part linked to
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    let tries = 0;
    const t = setInterval(() => {
      // A link to a part of a page (the glossary's terms) focuses that part.
      const target = location.hash
        ? document.getElementById(decodeURIComponent(location.hash.slice(1)))
        : null;
      const h1 = document.querySelector<HTMLElement>('main h1');
      const h = target ?? (h1 !== leaving ? h1 : null);
      if (!h && ++tries < 80) return;
      clearInterval(t);
      if (!h) return;
      if (!h.hasAttribute('tabindex')) h.tabIndex = -1;
      h.focus();
      if (target) target.scrollIntoView({ block: 'center' });
      const text = (h.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (!target) document.title = `${text} · Brink`;
      setSaid(text);
    }, 100);
    return () => clearInterval(t);
  }, [page, hash]);
  return said;
}

export function Link(props: {
  to: string;
  children: React.ReactNode;
  className?: string;
  /** This link is the page shown (aria-current). */
  current?: boolean;
}) {
  return (
    <a
      href={props.to}
      className={props.className}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
