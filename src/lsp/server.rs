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
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// Which refresh requests the client said it handles.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Refresh {
    diagnostics: bool,
    inlay_hints: bool,
    semantic_tokens: bool,
    code_lenses: bool,
}

pub(super) struct State {
    refresh: Refresh,
    pub docs: HashMap<Uri, Document>,
    pub encoding: Encoding,
    pub markdown: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`); otherwise they are pushed.
    pub pull: bool,
    /// The first workspace folder's configuration (or the defaults): it chooses the code
    /// sets, which every folder shares.
    pub config: Config,
    settings: Value,
    /// Each workspace folder, with its own `dxpx.toml` under the editor's settings: a
    /// document is checked by the folder that holds it.
    folders: Vec<(PathBuf, Config)>,
    /// The user asked to check the workspace (`dxpx/checkWorkspace`, the "Check Workspace"
    /// command): until then a workspace pull reports nothing, since a client may pull on
    /// its own (VS Code does, every two seconds) and a folder may hold a year of notes.
    workspace_check: bool,
    /// Counts configurations: a document's workspace report is unchanged while its file and
    /// the configuration are.
    configured: u64,
    /// The scanner over the loaded code sets; `None` until the loader publishes it.
    pub scanner: Option<Arc<Scanner>>,
    /// The documentation hints' phrase automaton for that scanner's code sets, once built.
    pub vocabulary: Option<Arc<Vocabulary>>,
    /// What the published code sets were loaded from.
    load: LoadOptions,
    /// Counts loads: a loader whose options were replaced while it ran publishes nothing.
    generation: u64,
    /// Whether a build of the automaton has started for this generation.
    vocabulary_started: bool,
}

#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// Serialises publishing, so diagnostics go out in version order.
    publishing: Arc<tokio::sync::Mutex<()>>,
    /// True once a scanner is published. Requests wait on it (never holding the state
    /// lock); notifications never do, so the editor is not blocked while the data loads.
    ready: tokio::sync::watch::Receiver<bool>,
    publish_ready: Arc<tokio::sync::watch::Sender<bool>>,
}

/// Where the server's messages go once it runs: the client's `window/logMessage` (an editor
/// files stderr under errors). Before that, and in the transport, which has no client:
/// stderr.
static CLIENT_LOG: OnceLock<(Client, tokio::runtime::Handle)> = OnceLock::new();

/// Logs name codes, positions and URIs only: never note text.
pub(super) fn log(level: MessageType, message: &str) {
    match CLIENT_LOG.get() {
        Some((client, runtime)) => {
            let (client, message) = (client.clone(), format!("dxpx: {message}"));
            runtime.spawn(async move { client.log_message(level, message).await });
        }
        None => eprintln!("dxpx: {message}"),
    }
}

impl State {
    /// The configuration that judges the document at `uri`: its workspace folder's (the
    /// innermost, when folders nest), else the first folder's.
    pub(super) fn config_for(&self, uri: &Uri) -> &Config {
        let path = uri.to_file_path();
        path.and_then(|p| {
            self.folders
                .iter()
                .filter(|(root, _)| p.starts_with(root))
                .max_by_key(|(root, _)| root.as_os_str().len())
                .map(|(_, config)| config)
        })
        .unwrap_or(&self.config)
    }

    fn new() -> State {
        State {
            refresh: Refresh::default(),
            docs: HashMap::new(),
            encoding: Encoding::Utf16,
            markdown: true,
            pull: false,
            config: Config::default(),
            settings: Value::Null,
            folders: Vec::new(),
            workspace_check: false,
            configured: 0,
            scanner: None,
            vocabulary: None,
            load: LoadOptions::default(),
            generation: 0,
            vocabulary_started: false,
        }
    }

    /// A state over code sets already loaded, with the hints' automaton if given (for
    /// [`super::probe`]).
    pub(super) fn with(scanner: Arc<Scanner>, vocabulary: Option<Vocabulary>) -> State {
        let mut st = State::new();
        st.scanner = Some(scanner);
        st.vocabulary_started = vocabulary.is_some();
        st.vocabulary = vocabulary.map(Arc::new);
        st
    }
}

impl Backend {
    /// A server whose code sets start loading at once, from `load`, while the client and
    /// the server shake hands.
    pub fn new(client: Client, load: LoadOptions) -> Backend {
        let (publish_ready, ready) = tokio::sync::watch::channel(false);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let _ = CLIENT_LOG.set((client.clone(), runtime));
        }
        let backend = Backend {
            client,
            state: Arc::new(Mutex::new(State::new())),
            publishing: Arc::new(tokio::sync::Mutex::new(())),
            ready,
            publish_ready: Arc::new(publish_ready),
        };
        backend.load(load);
        backend
    }

    /// Waits until a scanner is published (bounded: a request is answered, if emptily,
    /// should loading ever fail to finish).
    async fn until_ready(&self) {
        if *self.ready.borrow() {
            return;
        }
        let mut ready = self.ready.clone();
        let bounded = std::time::Duration::from_secs(60);
        let _ = tokio::time::timeout(bounded, ready.wait_for(|r| *r)).await;
    }

    /// The one background loader. On its own thread it loads the code sets from `load`
    /// and builds their scanner, publishes them (reading every open document with them),
    /// then, at low priority, builds what later requests would otherwise wait for: the
    /// hover tables, the word index and, when hints are on, the hints' automaton.
    fn load(&self, load: LoadOptions) {
        let generation = {
            let mut st = self.state();
            st.generation += 1;
            st.load = load.clone();
            st.vocabulary_started = false;
            st.generation
        };
        let backend = self.clone();
        let runtime = tokio::runtime::Handle::current();
        std::thread::spawn(move || {
            let sets = if load == LoadOptions::default() {
                CodeSets::embedded()
            } else {
                CodeSets::load(&load).map(Arc::new).unwrap_or_else(|e| {
                    log(
                        MessageType::WARNING,
                        &format!("{e}; using the embedded code sets"),
                    );
                    CodeSets::embedded()
                })
            };
            let scanner = Arc::new(Scanner::new(sets.clone()));
            let reload = {
                let mut st = backend.state();
                if st.generation != generation {
                    return;
                }
                for doc in st.docs.values_mut().filter(|d| !d.lost) {
                    doc.recover(&scanner);
                }
                st.vocabulary = None;
                st.scanner.replace(scanner).is_some()
            };
            backend.publish_ready.send_replace(true);
            let warnings = sets.warnings.clone();
            let announce = backend.clone();
            runtime.spawn(async move {
                for w in warnings {
                    log(MessageType::WARNING, &w);
                    announce
                        .client
                        .show_message(MessageType::WARNING, format!("dxpx: {w}"))
                        .await;
                }
                // On the first load, every request and publication waited for this one;
                // after a reload, what the editor shows came from the old code sets.
                if reload {
                    announce.recheck_all();
                }
            });
            lower_priority();
            sets.search_index();
            backend.build_vocabulary(generation, &sets, &runtime);
        });
    }

    /// Builds the documentation hints' automaton on this (low-priority) thread, once per
    /// load and only when hints are on, then rechecks the open documents with hints.
    fn build_vocabulary(
        &self,
        generation: u64,
        sets: &Arc<CodeSets>,
        runtime: &tokio::runtime::Handle,
    ) {
        {
            let mut st = self.state();
            if st.generation != generation
                || !st.config.documentation_hints
                || st.vocabulary_started
            {
                return;
            }
            st.vocabulary_started = true;
        }
        let vocabulary = Arc::new(Vocabulary::for_sets(sets));
        log(
            MessageType::INFO,
            &format!(
                "documentation hints ready: {} phrases {} in {} ms",
                vocabulary.len(),
                if vocabulary.prebuilt {
                    "loaded"
                } else {
                    "built from the data folder's titles"
                },
                vocabulary.build_time.as_millis()
            ),
        );
        {
            let mut st = self.state();
            if st.generation != generation {
                return;
            }
            st.vocabulary = Some(vocabulary);
        }
        let backend = self.clone();
        runtime.spawn(async move { backend.recheck_all() });
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A handler that panicked while holding the lock must not take the server down.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Publishes diagnostics for `uri` at `version`, unless a newer version arrived before
    /// this task ran: a burst of edits is checked once per edit that is still the newest
    /// when its turn comes, never for a version already replaced.
    fn schedule(&self, uri: Uri, version: i32) {
        if self.state().pull {
            return;
        }
        let state = self.state.clone();
        let client = self.client.clone();
        let publishing = self.publishing.clone();
        let backend = self.clone();
        tokio::spawn(async move {
            backend.until_ready().await;
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
            if refresh.code_lenses {
                let _ = tokio::time::timeout(bounded, client.code_lens_refresh()).await;
            }
        });
    }

    /// Reads `dxpx.toml` and the editor settings into one config; loads the code sets again
    /// in the background when their files changed.
    async fn reconfigure(&self) {
        let (config, load_changed, load, vocabulary) = {
            let mut st = self.state();
            let settings = st.settings.clone();
            let configured = |root: Option<&PathBuf>| {
                let mut config = match root {
                    Some(root) => Config::discover(root).unwrap_or_else(|e| {
                        log(MessageType::WARNING, &e.to_string());
                        Config::default()
                    }),
                    None => Config::default(),
                };
                if let Err(e) = config.apply_settings(&settings) {
                    log(MessageType::WARNING, &format!("settings: {e}"));
                }
                config
            };
            let roots: Vec<PathBuf> = st.folders.iter().map(|(r, _)| r.clone()).collect();
            st.folders = roots
                .iter()
                .map(|root| (root.clone(), configured(Some(root))))
                .collect();
            st.configured += 1;
            let config = st
                .folders
                .first()
                .map_or_else(|| configured(None), |(_, c)| c.clone());
            let load = LoadOptions {
                data_dir: config.data_dir.clone(),
                cpt_file: config.cpt_file.clone(),
            };
            let changed = load != st.load;
            st.config = config.clone();
            // Hints turned on after the loader finished: build their automaton now.
            let vocabulary = st
                .scanner
                .as_ref()
                .filter(|_| !changed && config.documentation_hints && !st.vocabulary_started)
                .map(|s| (st.generation, s.sets().clone()));
            (config, changed, load, vocabulary)
        };
        if let Some(e) = config_problem(&config) {
            self.client.show_message(MessageType::WARNING, e).await;
        }
        if load_changed {
            self.load(load);
        } else if let Some((generation, sets)) = vocabulary {
            let backend = self.clone();
            let runtime = tokio::runtime::Handle::current();
            std::thread::spawn(move || {
                lower_priority();
                backend.build_vocabulary(generation, &sets, &runtime);
            });
        }
        self.recheck_all();
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
        self.until_ready().await;
        let (sets, markdown) = {
            let st = self.state();
            let Some(scanner) = &st.scanner else {
                return Err(not_ready());
            };
            (scanner.sets().clone(), st.markdown)
        };
        let text = features::lookup(&sets, code, markdown);
        Ok(serde_json::json!({"found": text.is_some(), "text": text.unwrap_or_default()}))
    }

    /// `dxpx/checkWorkspace`: from now on a workspace pull checks every document of every
    /// folder; the client is asked to pull now. Answers how many folders there are.
    /// A client that does not pull (Neovim) gets the reports pushed now, a
    /// `publishDiagnostics` per document; the answer then says how many.
    pub async fn check_workspace_request(&self, _: Value) -> Result<Value> {
        self.until_ready().await;
        let (folders, pull, scanner, open, encoding) = {
            let mut st = self.state();
            st.workspace_check = true;
            let open: Vec<Uri> = st.docs.keys().cloned().collect();
            let pull = st.pull && st.refresh.diagnostics;
            (
                st.folders.clone(),
                pull,
                st.scanner.clone(),
                open,
                st.encoding,
            )
        };
        if pull {
            let client = self.client.clone();
            tokio::spawn(async move {
                let bounded = std::time::Duration::from_secs(5);
                let _ = tokio::time::timeout(bounded, client.workspace_diagnostic_refresh()).await;
            });
            return Ok(serde_json::json!({ "folders": folders.len(), "pushed": 0 }));
        }
        let Some(scanner) = scanner else {
            return Err(not_ready());
        };
        let count = folders.len();
        let reports = tokio::task::spawn_blocking(move || {
            Folders {
                scanner: &scanner,
                folders: &folders,
                open: &open,
                encoding,
                generation: "",
                previous: &HashMap::new(),
            }
            .check()
        })
        .await
        .unwrap_or_default();
        let mut pushed = 0;
        for report in reports {
            if let WorkspaceDocumentDiagnosticReport::Full(full) = report {
                let items = full.full_document_diagnostic_report.items;
                self.client.publish_diagnostics(full.uri, items, None).await;
                pushed += 1;
            }
        }
        Ok(serde_json::json!({ "folders": count, "pushed": pushed }))
    }

    pub async fn search_request(&self, params: Value) -> Result<Value> {
        let query = params
            .get("query")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid_params("expected {\"query\": \"words\"}"))?;
        let limit = params.get("limit").and_then(Value::as_u64).unwrap_or(50) as usize;
        self.until_ready().await;
        let sets = match &self.state().scanner {
            Some(scanner) => scanner.sets().clone(),
            None => return Err(not_ready()),
        };
        let hits = sets.search(query, limit);
        Ok(Value::Array(
            hits.iter()
                .map(|h| serde_json::json!({"code": h.code, "title": h.title, "system": h.system.name(), "status": h.status.name()}))
                .collect(),
        ))
    }
}

/// The answer to a request that needs the code sets when they did not load in time.
fn not_ready() -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32002),
        message: "dxpx: the code sets are still loading".into(),
        data: None,
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
        let can_pull = caps
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
            code_lenses: workspace
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
        };
        // The documentation hints and a reloaded code set arrive after the first pull: a
        // client that pulls but cannot be asked to pull again (Neovim 0.11) would show them
        // only after the next edit. Such a client gets them pushed, as every client accepts.
        let pull = can_pull && refresh.diagnostics;
        #[allow(deprecated)]
        let roots: Vec<PathBuf> = match &params.workspace_folders {
            Some(folders) if !folders.is_empty() => {
                folders.iter().map(|f| f.uri.clone()).collect::<Vec<_>>()
            }
            _ => params.root_uri.clone().into_iter().collect(),
        }
        .into_iter()
        .filter_map(|u| u.to_file_path().map(|p| p.into_owned()))
        .collect();
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
            st.folders = roots.into_iter().map(|r| (r, Config::default())).collect();
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
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new(features::FIX_ALL),
                        ]),
                        ..CodeActionOptions::default()
                    },
                )),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("dxpx".into()),
                        inter_file_dependencies: false,
                        workspace_diagnostics: true,
                        ..DiagnosticOptions::default()
                    })
                }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
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
            let (name, text) = (doc.uri.path().as_str(), doc.text);
            // Before the code sets are loaded the loader reads it, when it publishes them.
            let opened = match &scanner {
                Some(scanner) => Document::open(scanner, text, doc.version, name, &doc.language_id),
                None => Document::new(text, doc.version, name, &doc.language_id),
            };
            st.docs.insert(doc.uri.clone(), opened);
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
                log(
                    MessageType::WARNING,
                    &format!("didChange for {} which is not open; ignored", uri.as_str()),
                );
                return;
            };
            if version <= doc.version {
                log(
                    MessageType::WARNING,
                    &format!(
                        "didChange for {} went from version {} back to {version}; ignored",
                        uri.as_str(),
                        doc.version
                    ),
                );
                return;
            }
            if doc.lost {
                log(
                    MessageType::WARNING,
                    &format!(
                        "didChange for {} ignored: its text was lost after an internal error",
                        uri.as_str()
                    ),
                );
                return;
            }
            for change in &params.content_changes {
                match fault::catch(|| doc.edit_text(convert::change(change), encoding)) {
                    // Before the code sets are loaded only the text changes: the loader
                    // reads the document whole when it publishes them.
                    Ok(_) if scanner.is_none() => {}
                    Ok(edit) => {
                        let scanner = scanner.as_ref().expect("checked above");
                        if let Err(fault) = fault::catch(|| doc.reread(scanner, edit)) {
                            log(
                                MessageType::ERROR,
                                &format!(
                                    "reading {} after an edit failed: {fault}; reading it again whole",
                                    uri.as_str()
                                ),
                            );
                            doc.recover(scanner);
                        }
                    }
                    Err(fault) => {
                        log(
                            MessageType::ERROR,
                            &format!(
                                "applying an edit to {} failed: {fault}; the document must be reopened",
                                uri.as_str()
                            ),
                        );
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
        self.until_ready().await;
        let pos = params.text_document_position_params;
        let st = self.state();
        let Some(doc) = st.docs.get(&pos.text_document.uri) else {
            return Ok(None);
        };
        Ok(features::hover(&st, doc, pos.position))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.until_ready().await;
        let pos = params.text_document_position;
        let st = self.state();
        let Some(doc) = st.docs.get(&pos.text_document.uri) else {
            return Ok(None);
        };
        Ok(features::completion(
            &st,
            &pos.text_document.uri,
            doc,
            pos.position,
        ))
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        self.until_ready().await;
        let st = self.state();
        Ok(features::resolve(&st, item))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.until_ready().await;
        let st = self.state();
        let Some(doc) = st.docs.get(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(features::code_actions(
            &st,
            &params.text_document.uri,
            doc,
            params.range,
            params.context.only.as_deref(),
        )))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        self.until_ready().await;
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

    /// Every document of every workspace folder that is not open (open ones have their own
    /// pull), checked by its folder's configuration: what `dxpx check` on the folder says,
    /// without the documentation hints (those are for the note a person is reading). Off the
    /// state lock and off the async threads: a folder may hold a year of notes.
    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        self.until_ready().await;
        let (scanner, folders, open, encoding, generation) = {
            let st = self.state();
            let Some(scanner) = st.scanner.clone().filter(|_| st.workspace_check) else {
                return Ok(WorkspaceDiagnosticReportResult::Report(
                    WorkspaceDiagnosticReport { items: Vec::new() },
                ));
            };
            let open: Vec<Uri> = st.docs.keys().cloned().collect();
            let generation = format!("{}.{}", st.generation, st.configured);
            (scanner, st.folders.clone(), open, st.encoding, generation)
        };
        let previous: HashMap<Uri, String> = params
            .previous_result_ids
            .into_iter()
            .map(|p| (p.uri, p.value))
            .collect();
        let items = tokio::task::spawn_blocking(move || {
            let folders = Folders {
                scanner: &scanner,
                folders: &folders,
                open: &open,
                encoding,
                generation: &generation,
                previous: &previous,
            };
            folders.check()
        })
        .await
        .unwrap_or_default();
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.until_ready().await;
        let st = self.state();
        let Some(doc) = st.docs.get(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(features::inlay_hints(&st, doc, params.range)))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.until_ready().await;
        let st = self.state();
        let Some(doc) = st.docs.get(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(features::code_lenses(&st, doc)))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.until_ready().await;
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
        self.until_ready().await;
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
        self.until_ready().await;
        let st = self.state();
        Ok(Some(WorkspaceSymbolResponse::Nested(
            features::workspace_symbols(&st, &params.query),
        )))
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        self.until_ready().await;
        let pos = params.text_document_position_params;
        let st = self.state();
        let Some(doc) = st.docs.get(&pos.text_document.uri) else {
            return Ok(None);
        };
        Ok(Some(features::highlights(&st, doc, pos.position)))
    }
}

/// A workspace check reads at most this many files, each at most this large: past that it
/// says so in the log (`dxpx check` on the command line has no such bound).
const WORKSPACE_FILES: usize = 10_000;
const WORKSPACE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a workspace check reads: the folders and their configurations, the documents the
/// editor has open (reported by their own pulls), and the reports the client already has.
struct Folders<'a> {
    scanner: &'a Scanner,
    folders: &'a [(PathBuf, Config)],
    open: &'a [Uri],
    encoding: Encoding,
    /// The code sets' load and the configuration, as part of every report's id.
    generation: &'a str,
    previous: &'a HashMap<Uri, String>,
}

impl Folders<'_> {
    /// One report per document of the folders not open: unchanged where the client's id
    /// still holds (the same file, size and time, under the same configuration).
    fn check(&self) -> Vec<WorkspaceDocumentDiagnosticReport> {
        let mut items = Vec::new();
        for (root, config) in self.folders {
            let found = match crate::workspace::documents(std::slice::from_ref(root), config) {
                Ok(found) => found,
                Err(e) => {
                    log(MessageType::INFO, &format!("workspace check: {e}"));
                    continue;
                }
            };
            for path in found.files {
                if items.len() == WORKSPACE_FILES {
                    log(
                        MessageType::WARNING,
                        &format!(
                            "workspace check: stopped after {WORKSPACE_FILES} files; `dxpx check` reads them all"
                        ),
                    );
                    return items;
                }
                let Some(uri) = Uri::from_file_path(&path).filter(|u| !self.open.contains(u))
                else {
                    continue;
                };
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                let id = format!("{}:{modified}:{}", meta.len(), self.generation);
                if self.previous.get(&uri) == Some(&id) {
                    items.push(WorkspaceDocumentDiagnosticReport::Unchanged(
                        WorkspaceUnchangedDocumentDiagnosticReport {
                            uri,
                            version: None,
                            unchanged_document_diagnostic_report:
                                UnchangedDocumentDiagnosticReport { result_id: id },
                        },
                    ));
                    continue;
                }
                if meta.len() > WORKSPACE_FILE_BYTES {
                    log(
                        MessageType::INFO,
                        &format!(
                            "workspace check: {} is over 16 MB; open it, or run `dxpx check` on it",
                            uri.as_str()
                        ),
                    );
                    continue;
                }
                let diagnostics = match std::fs::read(&path) {
                    Ok(bytes) => {
                        self.diagnostics(&uri, config, String::from_utf8_lossy(&bytes).into_owned())
                    }
                    Err(e) => {
                        log(
                            MessageType::WARNING,
                            &format!("workspace check: {}: {e}", uri.as_str()),
                        );
                        continue;
                    }
                };
                items.push(WorkspaceDocumentDiagnosticReport::Full(
                    WorkspaceFullDocumentDiagnosticReport {
                        uri,
                        version: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(id),
                            items: diagnostics,
                        },
                    },
                ));
            }
        }
        items
    }

    /// A file's diagnostics, as its folder's configuration judges it; a bug in one file is
    /// that file's, reported as such, and the check goes on.
    fn diagnostics(&self, uri: &Uri, config: &Config, text: String) -> Vec<Diagnostic> {
        let checked = fault::catch(|| {
            let doc = Document::open(self.scanner, text, 0, uri.path().as_str(), "");
            let findings = doc.check(self.scanner.sets(), config, |_| Vec::new());
            findings
                .iter()
                .map(|f| convert::diagnostic(&doc, uri, f, self.encoding))
                .collect::<Vec<_>>()
        });
        checked.unwrap_or_else(|fault| {
            log(
                MessageType::ERROR,
                &format!("workspace check: {} failed: {fault}", uri.as_str()),
            );
            vec![convert::internal_error(&fault, false)]
        })
    }
}

/// For the features: the analysis of a document under the current settings.
pub(super) fn findings(st: &State, uri: &Uri, doc: &Document) -> Vec<crate::rules::Finding> {
    let Some(scanner) = &st.scanner else {
        return Vec::new();
    };
    doc.check(
        scanner.sets(),
        st.config_for(uri),
        |scopes| match conditions(st, doc, scopes) {
            Some(conditions) => {
                let fallback = st
                    .config
                    .as_of
                    .unwrap_or_else(crate::codes::history::Day::today);
                crate::hints::findings(
                    scanner.sets(),
                    fallback,
                    conditions,
                    &doc.text,
                    &doc.scan.mentions,
                    scopes,
                )
            }
            None => Vec::new(),
        },
    )
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
    let vocabulary = st.vocabulary.as_ref()?;
    let sets = st.scanner.as_ref()?.sets();
    Some(doc.conditions.get_or_init(|| {
        crate::hints::conditions(vocabulary, sets, &doc.text, &doc.scan.mentions, scopes)
    }))
}
