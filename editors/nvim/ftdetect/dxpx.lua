-- Clinical notes and charge sheets. Plain .txt, .md and .csv files keep their usual
-- filetypes; add them to the `filetypes` of vim.lsp.config('dxpx', …) to check them too.
vim.filetype.add({
  extension = {
    note = 'clinicalnote',
    notes = 'clinicalnote',
    dxnote = 'clinicalnote',
    superbill = 'chargesheet',
  },
  pattern = {
    ['.*%.charges%.csv'] = 'chargesheet',
    ['.*%.charges%.tsv'] = 'chargesheet',
  },
})
