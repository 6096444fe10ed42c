// Brink's mark: a line climbing a ladder, on a rounded square (amber on the top bar, navy on the
// sign-in card).

const NAVY = '#1d3557';
const AMBER = '#f1a208';

export function Logo({ size, inverted = false }: { size: number; inverted?: boolean }) {
  return (
    <svg viewBox="0 0 32 32" width={size} height={size} aria-hidden="true">
      <rect width="32" height="32" rx="7" fill={inverted ? NAVY : AMBER} />
      <path
        d="M6 24 L13 15 L18 19 L26 8"
        stroke={inverted ? AMBER : NAVY}
        strokeWidth="3.5"
        fill="none"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
