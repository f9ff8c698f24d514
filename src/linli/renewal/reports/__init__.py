"""The four supervision reports (周报告, 月通报, 季度观摩, 年度考评): periods, figures, scoring,
Word/Excel renderers and the issuing service (docs/renewal.md#reports)."""
