// One worker for validation and one for previews, so a long preview never delays the underlines.
import type { RunReport } from '../../../src/analysis/ensemble.ts';
import type { Diagnostic } from '../../../src/scenario/diagnostics.ts';
import type { PreviewRequest, WorkerReply, WorkerRequest } from './protocol.ts';

function spawn(): Worker {
  return new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
}

class Channel {
  private worker: Worker | undefined;
  private next = 1;
  private readonly waiting = new Map<number, (r: WorkerReply) => void>();

  private get w(): Worker {
    if (!this.worker) {
      this.worker = spawn();
      this.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
        const fn = this.waiting.get(e.data.id);
        this.waiting.delete(e.data.id);
        fn?.(e.data);
      };
    }
    return this.worker;
  }

  send(req: Omit<WorkerRequest, 'id'>): Promise<WorkerReply> {
    const id = this.next++;
    // A newer preview supersedes older ones: drop their waiters.
    if (req.type === 'preview') for (const k of this.waiting.keys()) this.waiting.delete(k);
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.w.postMessage({ ...req, id } as WorkerRequest);
    });
  }
}

const validator = new Channel();
const previewer = new Channel();

export async function validateInWorker(
  files: Record<string, string>,
  path: string,
): Promise<{ diagnostics: Diagnostic[]; ms: number }> {
  const r = await validator.send({ type: 'validate', files, path });
  if (r.type !== 'diagnostics') throw new Error('unexpected worker reply');
  return { diagnostics: r.diagnostics, ms: r.ms };
}

export async function previewInWorker(
  opts: PreviewRequest,
): Promise<{ report: RunReport | null; error: string | null; ms: number }> {
  const r = await previewer.send({ type: 'preview', ...opts });
  if (r.type !== 'preview') throw new Error('unexpected worker reply');
  return r;
}
