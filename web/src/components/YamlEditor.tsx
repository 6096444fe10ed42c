// The scenario editor: CodeMirror 6 with YAML highlighting, completion from the scenario JSON Schema and
// the pipeline's diagnostics underlined (set from outside as they arrive from the worker).
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { type Diagnostic as CmDiagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { Diagnostic } from '../api.ts';
import { schemaCompletion } from './schemaCompletion.ts';

export interface YamlEditorProps {
  value: string;
  onChange: (text: string) => void;
  diagnostics: Diagnostic[];
  /** The file whose diagnostics are shown (others, e.g. in the library, are listed but not underlined). */
  path: string;
  schema: object | undefined;
  readOnly: boolean;
  label: string;
  /** Tab indents (the user opted in); otherwise Tab moves focus on, as everywhere else on the page. */
  tabIndents: boolean;
  /** The id of the element that tells the editor's keys. */
  describedBy: string;
}

function toCm(state: EditorState, ds: Diagnostic[], path: string): CmDiagnostic[] {
  const out: CmDiagnostic[] = [];
  for (const d of ds) {
    if (d.file && d.file !== path) continue;
    const lineNo = Math.min(Math.max(d.line ?? 1, 1), state.doc.lines);
    const line = state.doc.line(lineNo);
    const from = Math.min(line.from + Math.max((d.column ?? 1) - 1, 0), line.to);
    // Underline to the end of the token (or the line when the position is at its end).
    const rest = state.doc.sliceString(from, line.to);
    const token = rest.match(/^[^\s,}\]]+/)?.[0].length ?? 0;
    const to = token > 0 ? from + token : Math.max(line.to, from);
    out.push({
      from: d.line ? from : 0,
      to: d.line ? Math.max(to, from) : Math.min(state.doc.length, line.to),
      severity: d.severity,
      message: `${d.code}: ${d.message}${d.hint ? `\nhint: ${d.hint}` : ''}`,
      source: 'brink',
    });
  }
  return out;
}

const theme = EditorView.theme({
  '&': { fontSize: '13.5px', height: '100%', backgroundColor: '#fff' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '.cm-gutters': { backgroundColor: '#f6f7f9', borderRight: '1px solid #e3e6ea', color: '#5f6b7a' },
  '.cm-activeLine': { backgroundColor: '#f3f7ff' },
  '.cm-activeLineGutter': { backgroundColor: '#e8effc' },
  '&.cm-focused': { outline: '2px solid #2458c6', outlineOffset: '-2px' },
  '.cm-tooltip-lint': { maxWidth: '520px', whiteSpace: 'pre-wrap' },
});

const tabKeys = (on: boolean) => keymap.of(on ? [indentWithTab] : []);

export function YamlEditor(props: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const tabs = useRef(new Compartment());
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is created once per schema and mode
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          lintGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          yaml(),
          ...(props.schema ? [autocompletion({ override: [schemaCompletion(props.schema)] })] : []),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
          tabs.current.of(tabKeys(props.tabIndents)),
          EditorState.readOnly.of(props.readOnly),
          // Read-only stays focusable (a viewer can move through the text with the keyboard) but takes no edits.
          EditorView.contentAttributes.of({
            'aria-label': props.label,
            'aria-readonly': String(props.readOnly),
            'aria-describedby': props.describedBy,
            // The scroller's focusable content (axe: scrollable-region-focusable); it is in the Tab order anyway.
            tabindex: '0',
          }),
          EditorState.tabSize.of(2),
          theme,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, [props.schema, props.readOnly]);

  useEffect(() => {
    view.current?.dispatch({ effects: tabs.current.reconfigure(tabKeys(props.tabIndents)) });
  }, [props.tabIndents]);

  // Text changed from outside (the form, a reload): replace the document, keeping the cursor if possible.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const cur = v.state.doc.toString();
    if (cur !== props.value) {
      const sel = Math.min(v.state.selection.main.head, props.value.length);
      v.dispatch({ changes: { from: 0, to: cur.length, insert: props.value }, selection: { anchor: sel } });
    }
  }, [props.value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch(setDiagnostics(v.state, toCm(v.state, props.diagnostics, props.path)));
  }, [props.diagnostics, props.path]);

  return <div className="editor-host" ref={host} data-testid="yaml-editor" />;
}
