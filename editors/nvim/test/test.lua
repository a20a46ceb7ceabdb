-- Runs inside headless Neovim on the note given on the command line; exits 0 on PASS.
local function out(...) io.stdout:write(table.concat({ ... }, ' '), '\n') end
local failures = 0
local function check(ok, what)
  out((ok and 'ok   ' or 'FAIL ') .. what)
  if not ok then failures = failures + 1 end
end

local buf = vim.api.nvim_get_current_buf()
check(vim.bo[buf].filetype == 'clinicalnote', 'filetype clinicalnote (got ' .. vim.bo[buf].filetype .. ')')
check(vim.wait(15000, function() return #vim.lsp.get_clients({ bufnr = buf }) > 0 end, 20), 'dxpx attached')
local client = vim.lsp.get_clients({ bufnr = buf })[1]

-- 1) A procedure with no diagnosis in its encounter.
vim.wait(15000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'dxpx/unsupported-procedure' then return true end
  end
  return false
end, 20)
local codes = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  codes[#codes + 1] = (d.code or '?') .. '@' .. (d.lnum + 1)
end
out('diagnostics: ' .. table.concat(codes, ' '))
check(vim.tbl_contains(codes, 'dxpx/unsupported-procedure@9'), 'unsupported procedure on line 9')

-- 1b) The documentation hint, ready after the first diagnostics, arrives with no edit:
-- Neovim 0.11 cannot be asked to pull again, so dxpx pushes.
local hinted = vim.wait(15000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'dxpx/documented-not-coded' and d.lnum == 1 then return true end
  end
  return false
end, 50)
check(hinted, 'documentation hint on line 2 without an edit')

local function find(text)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = line:find(text, 1, true)
    if s then return i - 1, s - 1 end
  end
end

-- 2) Hover on E11.9, through the user's path (K opens a float).
local l, c = find('E11.9')
vim.api.nvim_win_set_cursor(0, { l + 1, c + 1 })
vim.lsp.buf.hover()
local float
vim.wait(5000, function()
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then float = w return true end
  end
  return false
end, 20)
local hover = float and table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false), ' ') or ''
check(hover:find('Type 2 diabetes mellitus without complications', 1, true) ~= nil, 'hover text of E11.9')
if float then vim.api.nvim_win_close(float, true) end

-- 3) Completion after "E11." on the last line.
local cl, cc = find('Dx: E11.')
local pos = { line = cl, character = cc + #'Dx: E11.' }
local res = vim.lsp.buf_request_sync(buf, 'textDocument/completion',
  { textDocument = vim.lsp.util.make_text_document_params(buf), position = pos }, 5000) or {}
local labels = {}
for _, r in pairs(res) do
  local items = r.result and (r.result.items or r.result) or {}
  for _, it in ipairs(items) do labels[#labels + 1] = it.label end
end
check(vim.tbl_contains(labels, 'E11.9'), 'completion offers E11.9 after "E11." (' .. #labels .. ' items)')

-- 4) The quick fix on M54.5 (non-billable) applies.
local ml, mc = find('M54.5')
local diag
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if d.code == 'dxpx/non-billable-code' then diag = d end
end
check(diag ~= nil, 'non-billable diagnostic on M54.5')
local params = {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  range = { start = { line = ml, character = mc }, ['end'] = { line = ml, character = mc + 5 } },
  context = { diagnostics = diag and { diag.user_data and diag.user_data.lsp or {
    range = { start = { line = ml, character = mc }, ['end'] = { line = ml, character = mc + 5 } },
    message = diag.message, code = diag.code, source = 'dxpx' } } or {} },
}
local actions = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 5000) or {}
local applied = false
for _, r in pairs(actions) do
  for _, a in ipairs(r.result or {}) do
    if not applied and a.edit and a.title:find('M54.50', 1, true) then
      vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding)
      applied = true
    end
  end
end
local line = vim.api.nvim_buf_get_lines(buf, ml, ml + 1, false)[1]
check(applied and line:find('Dx: M54.50', 1, true) ~= nil, 'quick fix applied: ' .. line)

-- 5) The add-diagnosis fix on the unsupported 36415: one action names the diagnosis the
-- note codes elsewhere and writes it on the encounter's Dx line.
local pl, pc = find('CPT 36415')
pc = pc + #'CPT '
local unsupported
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if d.code == 'dxpx/unsupported-procedure' then unsupported = d end
end
local prange = { start = { line = pl, character = pc }, ['end'] = { line = pl, character = pc + 5 } }
local padd = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  range = prange,
  context = { diagnostics = unsupported and { unsupported.user_data and unsupported.user_data.lsp or {
    range = prange, message = unsupported.message, code = unsupported.code, source = 'dxpx' } } or {} },
}, 5000) or {}
local added
for _, r in pairs(padd) do
  for _, a in ipairs(r.result or {}) do
    if not added and a.edit and a.title:find('Add diagnosis E11.9', 1, true) then
      vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding)
      added = a.title
    end
  end
end
check(added ~= nil, 'add-diagnosis fix offered: ' .. tostring(added))
-- The encounter's Dx line is the one after the procedure's.
local dxline = vim.api.nvim_buf_get_lines(buf, pl + 1, pl + 2, false)[1] or ''
check(dxline == 'Dx: E11, E11.9.', 'diagnosis written on the encounter\'s Dx line: ' .. dxline)
local resolved = vim.wait(10000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'dxpx/unsupported-procedure' then return false end
  end
  return true
end, 50)
check(resolved, 'the procedure is supported after the fix')

-- 6) A lens above each encounter with its numbers.
vim.lsp.codelens.refresh({ bufnr = buf })
local lenses = {}
vim.wait(5000, function()
  lenses = {}
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
    if lens.command then lenses[#lenses + 1] = (lens.range.start.line + 1) .. ': ' .. lens.command.title end
  end
  return #lenses >= 2
end, 20)
out('code lenses: ' .. table.concat(lenses, ' | '))
check(vim.tbl_contains(lenses, '1: 2 Dx · HCC 38 · 0 Px'), 'the first encounter\'s lens (E11.9 and, fixed, M54.50)')
check(vim.tbl_contains(lenses, '7: 1 Dx · HCC 38 · 1 Px'), 'the second encounter\'s lens, its procedure supported')

for _, cl2 in ipairs(vim.lsp.get_clients()) do cl2:stop() end
vim.wait(3000, function() return #vim.lsp.get_clients() == 0 end, 20)
out(failures == 0 and 'PASS' or ('FAILED (' .. failures .. ')'))
vim.cmd('cquit ' .. (failures == 0 and 0 or 1))
