//! The LSP handlers. Each one takes the state lock, does its work synchronously and lets
//! go before any `.await`, so edits are applied in the order they arrive and no handler
//! waits on another.

use super::convert;
use super::features;
use crate::analysis;
use crate::codes::{CodeSets, LoadOptions};
use crate::config::Config;
use crate::document::{Document, Encoding};
use crate::fault;
use crate::hints::Vocabulary;
use crate::scan::Scanner;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// Which refresh requests the client said it handles.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Refresh {
    diagnostics: bool,
    inlay_hints: bool,
    semantic_tokens: bool,
}

pub(super) struct State {
    refresh: Refresh,
    pub docs: HashMap<Uri, Document>,
    pub encoding: Encoding,
    pub markdown: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`); otherwise they are pushed.
    pub pull: bool,
    pub config: Config,
    settings: Value,
    root: Option<PathBuf>,
    pub scanner: ScannerCell,
    load: LoadOptions,
}

/// The scanner and its code sets, loaded on first use: the server answers `initialize`
/// while the embedded tables are still being decompressed on another thread.
pub(super) struct ScannerCell {
    cell: std::sync::OnceLock<Arc<Scanner>>,
    load: LoadOptions,
    /// The documentation hints' phrase automaton for these code sets, built in the
    /// background (see [`Backend::build_vocabulary`]); hints wait for it, nothing else does.
    vocabulary: Arc<VocabularyCell>,
}

#[derive(Default)]
pub(super) struct VocabularyCell {
    built: std::sync::OnceLock<Vocabulary>,
    started: std::sync::atomic::AtomicBool,
}

impl ScannerCell {
    fn lazy(load: LoadOptions) -> ScannerCell {
        ScannerCell {
            cell: std::sync::OnceLock::new(),
            load,
            vocabulary: Arc::default(),
        }
    }

    fn ready(scanner: Arc<Scanner>, load: LoadOptions) -> ScannerCell {
        let cell = std::sync::OnceLock::new();
        let _ = cell.set(scanner);
        ScannerCell {
            cell,
            load,
            vocabulary: Arc::default(),
        }
    }

    /// The phrase automaton, if it is built.
    pub fn vocabulary(&self) -> Option<&Vocabulary> {
        self.vocabulary.built.get()
    }
}

impl std::ops::Deref for ScannerCell {
    type Target = Arc<Scanner>;

    fn deref(&self) -> &Arc<Scanner> {
        self.cell.get_or_init(|| {
            let sets = if self.load == LoadOptions::default() {
                CodeSets::embedded()
            } else {
                CodeSets::load(&self.load)
                    .map(Arc::new)
                    .unwrap_or_else(|e| {
                        log(&format!("{e}; using the embedded code sets"));
                        CodeSets::embedded()
                    })
            };
            Arc::new(Scanner::new(sets))
        })
    }
}

#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// Serialises publishing, so diagnostics go out in version order.
    publishing: Arc<tokio::sync::Mutex<()>>,
}

/// Logs go to stderr, and name codes, positions and URIs only: never note text.
pub(super) fn log(message: &str) {
    eprintln!("dxpx: {message}");
}

impl State {
    fn new(scanner: ScannerCell, load: LoadOptions) -> State {
        State {
            refresh: Refresh::default(),
            docs: HashMap::new(),
            encoding: Encoding::Utf16,
            markdown: true,
            pull: false,
            config: Config::default(),
            settings: Value::Null,
            root: None,
            scanner,
            load,
        }
    }

    /// A state over code sets already loaded, with the hints' automaton if given (for
    /// [`super::probe`]).
    pub(super) fn with(scanner: Arc<Scanner>, vocabulary: Option<Vocabulary>) -> State {
        let cell = ScannerCell::ready(scanner, LoadOptions::default());
        if let Some(v) = vocabulary {
            let _ = cell.vocabulary.built.set(v);
            cell.vocabulary
                .started
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        State::new(cell, LoadOptions::default())
    }
}

impl Backend {
    pub fn new(client: Client, load: LoadOptions) -> Backend {
        let state = State::new(ScannerCell::lazy(load.clone()), load);
        Backend {
            client,
            state: Arc::new(Mutex::new(state)),
            publishing: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A handler that panicked while holding the lock must not take the server down.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Publishes diagnostics for `uri` at `version`, unless a newer version arrives first.
    fn schedule(&self, uri: Uri, version: i32) {
        if self.state().pull {
            return;
        }
        let state = self.state.clone();
        let client = self.client.clone();
        let publishing = self.publishing.clone();
        tokio::spawn(async move {
            // Let edits already queued behind this one land first: only the newest version
            // is worth checking.
            for _ in 0..4 {
                tokio::task::yield_now().await;
            }
            let _order = publishing.lock().await;
            let diagnostics = {
                let st = state.lock().unwrap_or_else(|p| p.into_inner());
                let Some(doc) = st.docs.get(&uri) else { return };
                if doc.version != version {
                    return;
                }
                features::diagnostics(&st, &uri, doc)
            };
            client
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
        });
    }

    /// After the settings or the code sets change: recheck every open document.
    fn recheck_all(&self) {
        let (pull, refresh, uris): (bool, Refresh, Vec<(Uri, i32)>) = {
            let st = self.state();
            (
                st.pull,
                st.refresh,
                st.docs
                    .iter()
                    .map(|(u, d)| (u.clone(), d.version))
                    .collect(),
            )
        };
        if !pull {
            for (uri, version) in uris.iter().cloned() {
                self.schedule(uri, version);
            }
        }
        if uris.is_empty() {
            return;
        }
        // Refresh requests wait on the client's answer: they run on their own, bounded in
        // time, so no handler (and no `exit`) ever waits on the client.
        let client = self.client.clone();
        tokio::spawn(async move {
            let bounded = std::time::Duration::from_secs(5);
            if pull && refresh.diagnostics {
                let _ = tokio::time::timeout(bounded, client.workspace_diagnostic_refresh()).await;
            }
            if refresh.inlay_hints {
                let _ = tokio::time::timeout(bounded, client.inlay_hint_refresh()).await;
            }
            if refresh.semantic_tokens {
                let _ = tokio::time::timeout(bounded, client.semantic_tokens_refresh()).await;
            }
        });
    }

    /// Reads `dxpx.toml` and the editor settings into one config; reloads the code sets in
    /// the background when their files changed.
    async fn reconfigure(&self) {
        let (config, load_changed, load) = {
            let mut st = self.state();
            let mut config = match &st.root {
                Some(root) => Config::discover(root).unwrap_or_else(|e| {
                    log(&e);
                    Config::default()
                }),
                None => Config::default(),
            };
            if let Err(e) = config.apply_settings(&st.settings) {
                log(&format!("settings: {e}"));
            }
            let load = LoadOptions {
                data_dir: config.data_dir.clone(),
                cpt_file: config.cpt_file.clone(),
            };
            let changed = load != st.load;
            st.config = config.clone();
            (config, changed, load)
        };
        if let Some(e) = config_problem(&config) {
            self.client.show_message(MessageType::WARNING, e).await;
        }
        if load_changed {
            let loaded = tokio::task::spawn_blocking(move || {
                let sets = if load == LoadOptions::default() {
                    Ok(CodeSets::embedded())
                } else {
                    CodeSets::load(&load).map(Arc::new)
                };
                (load, sets)
            })
            .await;
            if let Ok((load, Ok(sets))) = loaded {
                for w in &sets.warnings {
                    log(w);
                    self.client
                        .show_message(MessageType::WARNING, format!("dxpx: {w}"))
                        .await;
                }
                let mut st = self.state();
                st.scanner = ScannerCell::ready(Arc::new(Scanner::new(sets)), load.clone());
                st.load = load;
                let scanner = st.scanner.clone();
                for doc in st.docs.values_mut().filter(|d| !d.lost) {
                    doc.recover(&scanner);
                }
            }
        }
        self.recheck_all();
        self.build_vocabulary();
    }

    /// Builds the documentation hints' automaton on a low-priority thread, once per code
    /// sets and only when hints are on, then rechecks the open documents with hints.
    fn build_vocabulary(&self) {
        let (cell, wanted) = {
            let st = self.state();
            (st.scanner.vocabulary.clone(), st.config.documentation_hints)
        };
        if !wanted || cell.started.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let backend = self.clone();
        let runtime = tokio::runtime::Handle::current();
        std::thread::spawn(move || {
            lower_priority();
            // The scanner is built when the first document opens, at the editor's priority;
            // building it here would make that document wait on a low-priority thread.
            let sets = loop {
                if let Some(scanner) = backend.state().scanner.cell.get() {
                    break scanner.sets().clone();
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            };
            // One background job at a time, so the editor keeps a core: the word index
            // first (waiting for it if another thread is building it), then this.
            sets.search_index();
            let vocabulary = Vocabulary::build(&sets);
            log(&format!(
                "documentation hints ready: {} phrases in {} ms",
                vocabulary.phrases.len(),
                vocabulary.build_time.as_millis()
            ));
            let _ = cell.built.set(vocabulary);
            runtime.spawn(async move { backend.recheck_all() });
        });
    }

    /// Tests only: panics while holding the state lock, with an open document's text in
    /// the message (which must never reach the log).
    #[cfg(feature = "fault-injection")]
    pub async fn injected_panic(&self, _: Value) -> Result<Value> {
        let st = self.state();
        let text = st
            .docs
            .values()
            .map(|d| d.text.as_str())
            .collect::<Vec<_>>();
        panic!("injected fault with the documents {text:?}");
    }

    /// The answer to a frame the transport guard found unreadable.
    pub async fn parse_error(&self) -> Result<Value> {
        Err(Error::parse_error())
    }

    /// The answer to a frame that was JSON but not a valid JSON-RPC message.
    pub async fn invalid_request(&self) -> Result<Value> {
        Err(Error::invalid_request())
    }

    pub async fn lookup_request(&self, params: Value) -> Result<Value> {
        let code = params
            .get("code")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid_params("expected {\"code\": \"E11.9\"}"))?;
        let (sets, markdown) = {
            let st = self.state();
            (st.scanner.sets().clone(), st.markdown)
        };
        let text = features::lookup(&sets, code, markdown);
        Ok(serde_json::json!({"found": text.is_some(), "text": text.unwrap_or_default()}))
    }

    pub async fn search_request(&self, params: Value) -> Result<Value> {
        let query = params
            .get("query")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid_params("expected {\"query\": \"words\"}"))?;
        let limit = params.get("limit").and_then(Value::as_u64).unwrap_or(50) as usize;
        let sets = self.state().scanner.sets().clone();
        let hits = sets.search(query, limit);
        Ok(Value::Array(
            hits.iter()
                .map(|h| serde_json::json!({"code": h.code, "title": h.title, "system": h.system.name(), "status": h.status.name()}))
                .collect(),
        ))
    }
}

/// Background work (the word index) yields to the threads answering the editor.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread (who = 0 with PRIO_PROCESS names the
    // calling thread on Linux) has no memory effects; a failure leaves the priority as is.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

fn config_problem(config: &Config) -> Option<String> {
    config.data_dir.as_ref().filter(|d| !d.is_dir()).map(|d| {
        format!(
            "dxpx: data folder {} does not exist; using the embedded code sets",
            d.display()
        )
    })
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let markdown = caps
            .text_document
            .as_ref()
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .and_then(|f| f.first())
            .is_none_or(|f| *f == MarkupKind::Markdown);
        let pull = caps
            .text_document
            .as_ref()
            .and_then(|t| t.diagnostic.as_ref())
            .is_some();
        let workspace = caps.workspace.as_ref();
        let refresh = Refresh {
            diagnostics: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            inlay_hints: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            semantic_tokens: workspace
                .and_then(|w| w.semantic_tokens.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
        };
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or(params.root_uri.clone())
            .and_then(|u| u.to_file_path().map(|p| p.into_owned()));
        {
            let mut st = self.state();
            st.encoding = if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            };
            st.markdown = markdown;
            st.pull = pull;
            st.refresh = refresh;
            st.root = root;
            st.settings = params.initialization_options.clone().unwrap_or(Value::Null);
        }
        let encoding = if utf8 {
            PositionEncodingKind::UTF8
        } else {
            PositionEncodingKind::UTF16
        };
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "dxpx".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    resolve_provider: Some(true),
                    trigger_characters: Some(vec![".".into(), ":".into(), " ".into()]),
                    ..CompletionOptions::default()
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..CodeActionOptions::default()
                    },
                )),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("dxpx".into()),
                        inter_file_dependencies: false,
                        workspace_diagnostics: false,
                        ..DiagnosticOptions::default()
                    })
                }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: convert::legend(),
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            range: Some(false),
                            ..SemanticTokensOptions::default()
                        },
                    ),
                ),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                document_highlight_provider: Some(OneOf::Left(true)),
                ..ServerCapabilities::default()
            },
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.reconfigure().await;
        // The word index takes a moment to build: build it now, off the request path.
        if self.state().load == LoadOptions::default() {
            std::thread::spawn(|| {
                // Loaded at normal priority: a document opened meanwhile waits for them.
                let sets = CodeSets::embedded();
                lower_priority();
                sets.load_hover_tables();
                sets.search_index();
            });
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let version = doc.version;
        {
            let mut st = self.state();
            let scanner = st.scanner.clone();
            st.docs.insert(
                doc.uri.clone(),
                Document::new(
                    &scanner,
                    doc.text,
                    doc.version,
                    doc.uri.path().as_str(),
                    &doc.language_id,
                ),
            );
        }
        self.schedule(doc.uri, version);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        {
            let mut st = self.state();
            let encoding = st.encoding;
            let scanner = st.scanner.clone();
            let Some(doc) = st.docs.get_mut(&uri) else {
                log(&format!(
                    "didChange for {} which is not open; ignored",
                    uri.as_str()
                ));
                return;
            };
            if version <= doc.version {
                log(&format!(
                    "didChange for {} went from version {} back to {version}; ignored",
                    uri.as_str(),
                    doc.version
                ));
                return;
            }
            if doc.lost {
                log(&format!(
                    "didChange for {} ignored: its text was lost after an internal error",
                    uri.as_str()
                ));
                return;
            }
            for change in &params.content_changes {
                match fault::catch(|| doc.edit_text(convert::change(change), encoding)) {
                    Ok(edit) => {
                        if let Err(fault) = fault::catch(|| doc.reread(&scanner, edit)) {
                            log(&format!(
                                "reading {} after an edit failed: {fault}; reading it again whole",
                                uri.as_str()
                            ));
                            doc.recover(&scanner);
                        }
                    }
                    Err(fault) => {
                        log(&format!(
                            "applying an edit to {} failed: {fault}; the document must be reopened",
                            uri.as_str()
                        ));
                        doc.lose(fault);
                        break;
                    }
                }
            }
            doc.version = version;
        }
        self.schedule(uri, version);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let removed = self
            .state()
            .docs
            .remove(&params.text_document.uri)
            .is_some();
        if removed && !self.state().pull {
            self.client
                .publish_diagnostics(params.text_document.uri, Vec::new(), None)
                .await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.state().settings = params.settings;
        self.reconfigure().await;
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        self.reconfigure().await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let st = self.state();
        let Some(doc) = st.docs.get(&pos.text_document.uri) else {
            return Ok(None);
        };
        Ok(features::hover(&st, doc, pos.position))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let st = self.state();
        let Some(doc) = st.docs.get(&pos.text_document.uri) else {
            return Ok(None);
        };
        Ok(features::completion(&st, doc, pos.position))
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        let st = self.state();
        Ok(features::resolve(&st, item))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let st = self.state();
        let Some(doc) = st.docs.get(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(features::code_actions(
            &st,
            &params.text_document.uri,
            doc,
            params.range,
        )))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let st = self.state();
        let uri = params.text_document.uri;
        let items = match st.docs.get(&uri) {
            Some(doc) => features::diagnostics(&st, &uri, doc),
            None => Vec::new(),
        };
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let st = self.state();
        let Some(doc) = st.docs.get(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(features::inlay_hints(&st, doc, params.range)))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let st = self.state();
        let Some(doc) = st.docs.get(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(SemanticTokensResult::Tokens(
            features::semantic_tokens(&st, doc),
        )))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let st = self.state();
        let Some(doc) = st.docs.get(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(DocumentSymbolResponse::Nested(
            features::document_symbols(&st, doc),
        )))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let st = self.state();
        Ok(Some(WorkspaceSymbolResponse::Nested(
            features::workspace_symbols(&st, &params.query),
        )))
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let pos = params.text_document_position_params;
        let st = self.state();
        let Some(doc) = st.docs.get(&pos.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(features::highlights(&st, doc, pos.position)))
    }
}

/// For the features: the analysis of a document under the current settings.
pub(super) fn findings(st: &State, doc: &Document) -> Vec<crate::rules::Finding> {
    let (_, findings) = analysis::check_with_hints(
        st.scanner.sets(),
        &st.config,
        &doc.text,
        &doc.scan.mentions,
        doc.structure.as_ref(),
        |scopes| match conditions(st, doc, scopes) {
            Some(conditions) => {
                crate::hints::findings(conditions, &doc.text, &doc.scan.mentions, scopes)
            }
            None => Vec::new(),
        },
    );
    findings
}

/// Notes longer than this get no documentation hints: they are exports, not notes, and
/// every keystroke would pay for reading them again.
const HINTS_MAX_BYTES: usize = 512 * 1024;

/// The conditions of a note, when documentation hints are on and their automaton is built.
pub(super) fn conditions<'a>(
    st: &State,
    doc: &'a Document,
    scopes: &[crate::rules::Scope],
) -> Option<&'a [crate::hints::Condition]> {
    if !st.config.documentation_hints
        || doc.kind != analysis::Kind::Note
        || doc.text.len() > HINTS_MAX_BYTES
    {
        return None;
    }
    let vocabulary = st.scanner.vocabulary()?;
    Some(doc.conditions.get_or_init(|| {
        crate::hints::conditions(
            vocabulary,
            st.scanner.sets(),
            &doc.text,
            &doc.scan.mentions,
            scopes,
        )
    }))
}
