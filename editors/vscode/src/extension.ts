import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

const LOOKUP_SCHEME = 'dxpx-code';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

interface LookupResult {
  found: boolean;
  text: string;
}

interface SearchHit {
  code: string;
  title: string;
  system: string;
  status: string;
}

let extensionContext: vscode.ExtensionContext | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionContext = context;
  output = vscode.window.createOutputChannel('dxpx', { log: true });
  context.subscriptions.push(output);

  const lookups = new LookupDocuments();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(LOOKUP_SCHEME, lookups),
    vscode.commands.registerCommand('dxpx.restartServer', restart),
    vscode.commands.registerCommand('dxpx.showOutput', () => output?.show(true)),
    vscode.commands.registerCommand('dxpx.lookupCode', (code?: string) => lookupCode(lookups, code)),
    vscode.commands.registerCommand('dxpx.searchCodes', searchCodes),
    vscode.commands.registerCommand('dxpx.checkWorkspace', checkWorkspace),
    { dispose: () => void client?.stop() },
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The document selector and the binary are fixed when the client starts.
      if (e.affectsConfiguration('dxpx.server.path') || e.affectsConfiguration('dxpx.files')) {
        void restart();
      }
    }),
  );
  await start(context);
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const command = findServer(context);
  if (!command) {
    const open = 'Open Settings';
    const choice = await vscode.window.showErrorMessage(
      'dxpx: the dxpx language server was not found. Set "dxpx.server.path" to the binary, ' +
        'or install it on PATH with `cargo install --path .` from a dxpx checkout.',
      open,
    );
    if (choice === open) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'dxpx.server.path');
    }
    return;
  }
  output?.info(`starting ${command}`);
  const serverOptions: ServerOptions = { command, args: ['lsp'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannel: output,
    synchronize: { configurationSection: 'dxpx' },
    initializationOptions: { dxpx: serverSettings() },
  };
  client = new LanguageClient('dxpx', 'dxpx', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(`dxpx: the server at ${command} did not start: ${String(e)}`);
  }
}

async function restart(): Promise<void> {
  if (client) {
    await client.stop().catch(() => undefined);
    client = undefined;
  }
  if (extensionContext) {
    await start(extensionContext);
  }
}

/** The setting, then the binary packaged with the extension, then `PATH`. */
function findServer(context: vscode.ExtensionContext): string | undefined {
  const configured = vscode.workspace.getConfiguration('dxpx').get<string>('server.path', '').trim();
  if (configured) {
    return executable(configured) ? configured : undefined;
  }
  const bundled = context.asAbsolutePath(path.join('server', process.platform === 'win32' ? 'dxpx.exe' : 'dxpx'));
  if (executable(bundled)) {
    return bundled;
  }
  const name = process.platform === 'win32' ? 'dxpx.exe' : 'dxpx';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && executable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function documentSelector(): DocumentSelector {
  const files = vscode.workspace.getConfiguration('dxpx.files');
  const selector: DocumentSelector = [
    { language: 'clinicalnote' },
    { language: 'chargesheet' },
    { language: 'x12claim' },
    { language: 'hl7' },
  ];
  if (files.get<boolean>('plainText')) {
    selector.push({ language: 'plaintext', scheme: 'file' }, { language: 'plaintext', scheme: 'untitled' });
  }
  if (files.get<boolean>('markdown')) {
    selector.push({ language: 'markdown', scheme: 'file' });
  }
  if (files.get<boolean>('csv')) {
    selector.push({ language: 'csv' }, { pattern: '**/*.{csv,tsv}' });
  }
  if (files.get<boolean>('fhir', true)) {
    selector.push({ language: 'json', pattern: '**/*.fhir.json' });
  }
  return selector;
}

/** The settings the server reads, in its own shape (see the README's configuration). */
function serverSettings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('dxpx');
  return {
    rules: c.get('rules', {}),
    ruleGroups: c.get('ruleGroups', {}),
    inlayHints: c.get('inlayHints', true),
    documentationHints: c.get('documentationHints', true),
    dataDir: c.get('dataDir', ''),
    cptFile: c.get('cptFile', ''),
    asOf: c.get('asOf', ''),
  };
}

function runningClient(): LanguageClient | undefined {
  return client?.state === State.Running ? client : undefined;
}

async function running(): Promise<LanguageClient | undefined> {
  if (runningClient()) {
    return runningClient();
  }
  const restartLabel = 'Restart Server';
  const choice = await vscode.window.showWarningMessage('dxpx: the server is not running.', restartLabel);
  if (choice === restartLabel) {
    await restart();
  }
  return runningClient();
}

/** Read-only Markdown documents holding the server's description of a code. */
class LookupDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

function codeUnderCursor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return undefined;
  }
  const range = editor.document.getWordRangeAtPosition(editor.selection.active, /[A-Za-z0-9][A-Za-z0-9.]{2,8}/);
  return range ? editor.document.getText(range) : undefined;
}

async function lookupCode(lookups: LookupDocuments, given?: string): Promise<void> {
  const code =
    given ??
    (await vscode.window.showInputBox({
      title: 'dxpx: Look Up Code',
      prompt: 'An ICD-10-CM, ICD-10-PCS, ICD-9-CM, CPT or HCPCS code',
      value: codeUnderCursor(),
      validateInput: (v) => (v.trim() ? undefined : 'Type a code'),
    }));
  if (!code?.trim()) {
    return;
  }
  const c = await running();
  if (!c) {
    return;
  }
  const result = await c.sendRequest<LookupResult>('dxpx/lookup', { code: code.trim() });
  if (!result.found) {
    void vscode.window.showWarningMessage(`dxpx: ${code.trim()} is not a code in any code set dxpx knows.`);
    return;
  }
  const uri = vscode.Uri.from({ scheme: LOOKUP_SCHEME, path: `/${code.trim().toUpperCase()}.md` });
  lookups.set(uri, result.text);
  await vscode.commands.executeCommand('markdown.showPreviewToSide', uri).then(undefined, async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  });
}

interface CodeItem extends vscode.QuickPickItem {
  code: string;
}

/** A quick pick that searches titles as the user types and inserts the chosen code. */
/** Every document of the workspace folders, checked as `dxpx check` checks them, into the
 * Problems panel: the server reports them on the client's workspace pull from now on. */
async function checkWorkspace(): Promise<void> {
  const c = await running();
  if (!c) {
    return;
  }
  const answer = await c.sendRequest<{ folders: number }>('dxpx/checkWorkspace', {});
  if (answer.folders === 0) {
    void vscode.window.showInformationMessage('dxpx: open a folder to check its documents.');
    return;
  }
  await vscode.commands.executeCommand('workbench.actions.view.problems');
}

async function searchCodes(): Promise<void> {
  const c = await running();
  if (!c) {
    return;
  }
  const editor = vscode.window.activeTextEditor;
  const pick = vscode.window.createQuickPick<CodeItem>();
  pick.title = 'dxpx: Search Codes by Words';
  pick.placeholder = 'Words from a title, e.g. "type 2 diabetes hyperglycemia"';
  pick.matchOnDescription = true;
  let generation = 0;
  const search = async (query: string): Promise<void> => {
    const mine = ++generation;
    if (!query.trim()) {
      pick.items = [];
      return;
    }
    pick.busy = true;
    try {
      const hits = await c.sendRequest<SearchHit[]>('dxpx/search', { query, limit: 50 });
      if (mine === generation) {
        pick.items = hits.map((h) => ({
          label: h.code,
          description: h.title,
          detail: `${h.system} · ${h.status}`,
          code: h.code,
          // The server ranks by its own word match; do not let the quick pick filter it away.
          alwaysShow: true,
        }));
      }
    } finally {
      if (mine === generation) {
        pick.busy = false;
      }
    }
  };
  pick.onDidChangeValue((v) => void search(v));
  const chosen = await new Promise<CodeItem | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]));
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  if (!chosen) {
    return;
  }
  if (editor && !editor.document.isClosed) {
    await editor.edit((b) => {
      for (const s of editor.selections) {
        b.replace(s, chosen.code);
      }
    });
  } else {
    await vscode.env.clipboard.writeText(chosen.code);
    void vscode.window.showInformationMessage(`dxpx: ${chosen.code} copied to the clipboard.`);
  }
}
