;;; dxpx.el --- dxpx, the clinical-coding language server, with Eglot  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools

;;; Commentary:

;; Clinical notes (*.note, *.notes, *.dxnote) open in `dxpx-note-mode' and charge sheets
;; (*.superbill, *.charges.csv) in `dxpx-charge-sheet-mode'; Eglot starts `dxpx lsp' for
;; both.  Put dxpx on your PATH (cargo install --path . from the dxpx checkout), then:
;;
;;   (add-to-list 'load-path "~/src/dxpx/editors/emacs")
;;   (require 'dxpx)
;;   (add-hook 'dxpx-note-mode-hook #'eglot-ensure)
;;
;; Settings are sent from `dxpx-settings' as initializationOptions and on
;; workspace/didChangeConfiguration.

;;; Code:

(require 'eglot)

(defgroup dxpx nil
  "The dxpx clinical-coding language server."
  :group 'tools)

(defcustom dxpx-command '("dxpx" "lsp")
  "How to start the dxpx language server."
  :type '(repeat string))

(defcustom dxpx-settings '(:inlayHints t)
  "dxpx settings (a plist): :rules, :ruleGroups, :inlayHints, :dataDir, :cptFile, :asOf."
  :type 'plist)

;;;###autoload
(define-derived-mode dxpx-note-mode text-mode "Note"
  "A clinical note, checked by dxpx.")

;;;###autoload
(define-derived-mode dxpx-charge-sheet-mode text-mode "Charges"
  "A charge sheet (CSV or TSV with a header row), checked by dxpx.")

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.\\(note\\|notes\\|dxnote\\)\\'" . dxpx-note-mode))
;;;###autoload
(add-to-list 'auto-mode-alist '("\\.\\(superbill\\|charges\\.[ct]sv\\)\\'" . dxpx-charge-sheet-mode))

;; A class of its own, so dxpx's initialization options reach dxpx and no other server.
(defclass dxpx-eglot-server (eglot-lsp-server) ()
  :documentation "The dxpx language server.")

(cl-defmethod eglot-initialization-options ((_server dxpx-eglot-server))
  "Send `dxpx-settings' to dxpx."
  (list :dxpx dxpx-settings))

(add-to-list 'eglot-server-programs
             `((dxpx-note-mode dxpx-charge-sheet-mode)
               . ,(lambda (&rest _) (cons 'dxpx-eglot-server dxpx-command))))

(provide 'dxpx)
;;; dxpx.el ends here
