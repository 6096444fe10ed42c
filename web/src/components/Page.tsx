// A page of the workbench: its heading, a line under it, what it offers to do (top right), then its
// content.
import type { ReactNode } from 'react';

export function Page({
  title,
  intro,
  actions,
  className,
  children,
}: {
  title: ReactNode;
  intro: ReactNode;
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className ? `page ${className}` : 'page'}>
      <div className="page-head">
        <div>
          <h1>{title}</h1>
          <p className="muted">{intro}</p>
        </div>
        {actions}
      </div>
      {children}
    </div>
  );
}
