// A term linked to its glossary entry (/glossary#id; src/analysis/vocabulary.ts defines them).
import { Link } from '../router.tsx';

export function Term({ id, children }: { id: string; children: React.ReactNode }) {
  return (
    <Link to={`/glossary#${id}`} className="term">
      {children}
    </Link>
  );
}
