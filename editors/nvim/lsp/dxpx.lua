-- dxpx for Neovim 0.11+ (vim.lsp.config). With editors/nvim on 'runtimepath', Neovim
-- finds this file by its name; `vim.lsp.enable('dxpx')` starts the server for notes and
-- charge sheets.
return {
  cmd = { 'dxpx', 'lsp' },
  filetypes = { 'clinicalnote', 'chargesheet' },
  root_markers = { 'dxpx.toml', '.git' },
  -- Sent as initializationOptions and on workspace/didChangeConfiguration.
  settings = {
    dxpx = {
      inlayHints = true,
      documentationHints = true, -- conditions written but not coded; codes the note makes more specific
      -- rules = { ['retired-code'] = 'warning' },
      -- ruleGroups = { ['instructional-notes'] = 'off' },
      -- dataDir = '/path/to/FY2027', cptFile = '/secure/cpt.tsv',
      -- asOf = '2026-08-01', -- judge undated documents by this day (default: today)
    },
  },
}
