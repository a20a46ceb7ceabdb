# Filetypes for notes and charge sheets; source from your kakrc.
hook global BufCreate .*\.(note|notes|dxnote) %{ set-option buffer filetype clinicalnote }
hook global BufCreate .*\.(superbill|charges\.csv|charges\.tsv) %{ set-option buffer filetype chargesheet }
hook global WinSetOption filetype=(clinicalnote|chargesheet) %{ lsp-enable-window }
