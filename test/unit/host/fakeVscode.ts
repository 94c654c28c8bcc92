/**
 * A small stand-in for the `vscode` module, so host classes (EngineManager, IndexingController) can
 * run in plain Node. Import it before anything that imports `vscode`: it hooks Node's module loader
 * so `require('vscode')` returns this object. It records what the code under test shows the user
 * (messages, executed commands) and lets a test choose the answer to a notification and whether the
 * workspace is trusted. Only the parts the tested classes touch are real; the rest are no-ops.
 */
import Module from 'node:module';

type Listener<T> = (e: T) => unknown;

class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export interface ShownMessage {
  kind: 'error' | 'warning' | 'info';
  text: string;
  items: string[];
  /** Set when shown as a modal dialog ({ modal: true }). */
  modal?: true;
}

const noop = (): void => undefined;
const disposable = (): Disposable => new Disposable(noop);

export const fake = {
  trusted: true,
  messages: [] as ShownMessage[],
  commands: [] as { id: string; args: unknown[] }[],
  /** The button a test's next notifications answer with (undefined: dismissed). */
  answer: undefined as string | undefined,
  files: [] as string[],
  /** What progress notifications reported, in order. */
  progress: [] as { title: string; message: string }[],
  /** `paperAtlas.*` settings by key (without the section). */
  config: {} as Record<string, unknown>,
  /** Text inserted through workspace.applyEdit, in order. */
  inserted: [] as { uri: string; line: number; character: number; text: string }[],
  reset(): void {
    this.config = {};
    this.trusted = true;
    this.messages = [];
    this.commands = [];
    this.answer = undefined;
    this.files = [];
    this.progress = [];
    this.inserted = [];
  },
};

const show =
  (kind: ShownMessage['kind']) =>
  (text: string, ...items: unknown[]): Promise<string | undefined> => {
    const modal = items.some((i) => typeof i === 'object' && i !== null && (i as { modal?: unknown }).modal === true);
    fake.messages.push({ kind, text, items: items.filter((i): i is string => typeof i === 'string'), ...(modal ? { modal: true as const } : {}) });
    return Promise.resolve(fake.answer);
  };

const uri = (fsPath: string): { fsPath: string; scheme: string; toString(): string } => ({ fsPath, scheme: 'file', toString: () => `file://${fsPath}` });

export const vscodeFake = {
  EventEmitter,
  Disposable,
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  ThemeIcon: class {
    constructor(readonly id: string) {}
  },
  Range: class {
    /** The constructor's numbers (startLine, startCharacter, endLine, endCharacter), for assertions. */
    readonly args: unknown[];
    readonly start: unknown;
    readonly end: unknown;
    constructor(...args: unknown[]) {
      this.args = args;
      [this.start, this.end] = args.length === 4 ? [{ line: args[0], character: args[1] }, { line: args[2], character: args[3] }] : args;
    }
  },
  Position: class {
    constructor(
      readonly line: number,
      readonly character: number,
    ) {}
  },
  Location: class {
    constructor(
      readonly uri: unknown,
      readonly range: unknown,
    ) {}
  },
  MarkdownString: class {
    value = '';
    isTrusted: unknown = false;
    supportHtml = false;
    constructor(value?: string) {
      this.value = value ?? '';
    }
    appendMarkdown(text: string): this {
      this.value += text;
      return this;
    }
  },
  CompletionItem: class {
    insertText?: string;
    range?: unknown;
    sortText?: string;
    filterText?: string;
    detail?: string;
    documentation?: unknown;
    constructor(
      readonly label: string | { label: string; detail?: string; description?: string },
      readonly kind?: number,
    ) {}
  },
  CompletionList: class {
    constructor(
      readonly items: unknown[] = [],
      readonly isIncomplete = false,
    ) {}
  },
  CodeActionKind: (() => {
    class Kind {
      constructor(readonly value: string) {}
      append(part: string): Kind {
        return new Kind(this.value ? `${this.value}.${part}` : part);
      }
      contains(other: Kind): boolean {
        return this.value === '' || other.value === this.value || other.value.startsWith(`${this.value}.`);
      }
      static readonly Empty = new Kind('');
      static readonly QuickFix = new Kind('quickfix');
      static readonly Refactor = new Kind('refactor');
    }
    return Kind;
  })(),
  CodeAction: class {
    command?: unknown;
    edit?: unknown;
    diagnostics?: unknown[];
    isPreferred?: boolean;
    constructor(
      readonly title: string,
      readonly kind?: unknown,
    ) {}
  },
  DocumentLink: class {
    tooltip?: string;
    constructor(
      readonly range: unknown,
      readonly target?: unknown,
    ) {}
  },
  WorkspaceEdit: class {
    readonly inserts: { uri: string; line: number; character: number; text: string }[] = [];
    insert(u: { toString(): string }, at: { line: number; character: number }, text: string): void {
      this.inserts.push({ uri: u.toString(), line: at.line, character: at.character, text });
    }
  },
  CompletionItemKind: { Reference: 17 },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ViewColumn: { Active: -1 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { Notification: 15 },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2 },
  Uri: { file: uri, parse: (value: string) => ({ toString: () => value }) },
  window: {
    showErrorMessage: show('error'),
    showWarningMessage: show('warning'),
    showInformationMessage: show('info'),
    setStatusBarMessage: disposable,
    createStatusBarItem: () => ({ show: noop, hide: noop, dispose: noop }),
    withProgress: async (
      options: { title?: string },
      task: (p: { report: (r: { message?: string }) => void }, t: { onCancellationRequested: () => Disposable }) => Promise<unknown>,
    ) => task({ report: (r) => fake.progress.push({ title: options.title ?? '', message: r.message ?? '' }) }, { onCancellationRequested: disposable }),
  },
  commands: {
    executeCommand: (id: string, ...args: unknown[]): Promise<undefined> => {
      fake.commands.push({ id, args });
      return Promise.resolve(undefined);
    },
    registerCommand: disposable,
  },
  workspace: {
    get isTrusted(): boolean {
      return fake.trusted;
    },
    workspaceFolders: [{ uri: uri('/workspace'), name: 'workspace', index: 0 }],
    getConfiguration: () => ({ get: (key: string) => fake.config[key], inspect: () => undefined, update: () => Promise.resolve() }),
    findFiles: () => Promise.resolve(fake.files.map(uri)),
    applyEdit: (edit: { inserts?: { uri: string; line: number; character: number; text: string }[] }): Promise<boolean> => {
      fake.inserted.push(...(edit.inserts ?? []));
      return Promise.resolve(true);
    },
    createFileSystemWatcher: () => ({ onDidChange: disposable, onDidCreate: disposable, onDidDelete: disposable, dispose: noop }),
  },
  languages: {
    createDiagnosticCollection: () => ({ clear: noop, set: noop, dispose: noop }),
  },
};

/** A LogOutputChannel that keeps its lines for assertions. */
export function fakeLog(): { lines: string[]; info(l: string): void; warn(l: string): void; error(l: string): void; debug(l: string): void; show(): void } {
  const lines: string[] = [];
  return {
    lines,
    info: (l) => lines.push(`info ${l}`),
    warn: (l) => lines.push(`warn ${l}`),
    error: (l) => lines.push(`error ${l}`),
    debug: (l) => lines.push(`debug ${l}`),
    show: noop,
  };
}

/**
 * Anything the fake does not define is a stub: callable, any property is another stub, `dispose` is a
 * no-op and it is not a thenable. Enough for activate() to register its features.
 */
function stub(): unknown {
  // A function target, so a stub can also be constructed (`new vscode.ThemeIcon(…)`).
  const target = function (): void {};
  return new Proxy(target, {
    get: (_t, key) => (key === 'then' ? undefined : key === 'dispose' ? noop : key === Symbol.toPrimitive ? () => '' : stub()),
    set: () => true,
    apply: () => stub(),
    construct: () => stub() as object,
  });
}

function withStubs<T extends object>(obj: T): T {
  return new Proxy(obj, { get: (t, key, r) => (key in t ? Reflect.get(t, key, r) : key === 'then' ? undefined : stub()) });
}

const registered = new Map<string, (...args: unknown[]) => unknown>();
/** Handlers of the commands registered through the fake, by id. */
export const registeredCommands: ReadonlyMap<string, (...args: unknown[]) => unknown> = registered;
vscodeFake.commands.registerCommand = ((id: string, fn: (...args: unknown[]) => unknown) => {
  registered.set(id, fn);
  return new Disposable(() => registered.delete(id));
}) as typeof vscodeFake.commands.registerCommand;
vscodeFake.window = withStubs(vscodeFake.window);
vscodeFake.workspace = withStubs(vscodeFake.workspace);
vscodeFake.languages = withStubs(vscodeFake.languages);
const vscodeModule = withStubs(vscodeFake);

const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
const load = loader._load;
loader._load = function (this: unknown, request: string, ...rest: unknown[]): unknown {
  return request === 'vscode' ? vscodeModule : load.call(this, request, ...rest);
};
