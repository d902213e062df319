# Builds the inputs of the extra detection cases from the shared Frontex and route data, then run
# shared/reference/farrington_ears.R on each (see README.md here).
#
#   Rscript make_cases.R SHARED_DIR
args <- commandArgs(trailingOnly = TRUE)
shared <- args[1]
d <- read.csv(file.path(shared, "data", "frontex_ibc_monthly_2009-2025.csv"), stringsAsFactors = FALSE)
months <- format(seq(as.Date("2009-01-01"), as.Date("2025-04-01"), by = "month"), "%Y-%m")
one <- function(route, nat = NULL, type = NULL) {
  x <- d[d$route == route, ]
  if (!is.null(nat)) x <- x[x$nat == nat, ]
  if (!is.null(type)) x <- x[x$type == type, ]
  s <- tapply(x$n, x$t, sum)
  y <- as.numeric(s[months]); y[is.na(y)] <- 0
  data.frame(series = paste(c(route, nat, type), collapse = " / "), month = months, observed = y)
}
cases <- list(
  "nationality-large" = list(c("Eastern Mediterranean Route", "SYR"), c("Western Balkan Route", "AFG"),
                             c("Central Mediterranean Route", "TUN"), c("Western Balkan Route", "OOO")),
  "nationality-sparse" = list(c("Western African Route", "GHA"), c("Eastern Borders Route", "SDN"),
                              c("Central Mediterranean Route", "NPL"), c("Western Balkan Route", "COM"),
                              c("Eastern Mediterranean Route", "HTI")),
  "route-by-type" = list(c("Eastern Mediterranean Route", NA, "Land"), c("Western Mediterranean Route", NA, "Sea"),
                         c("Eastern Borders Route", NA, "Land"), c("Black Sea Route", NA, "Sea")))
for (nm in names(cases)) {
  dir.create(nm, showWarnings = FALSE)
  parts <- lapply(cases[[nm]], function(v) one(v[1], if (length(v) > 1 && !is.na(v[2])) v[2] else NULL,
                                                if (length(v) > 2) v[3] else NULL))
  write.csv(do.call(rbind, parts), file.path(nm, "series.csv"), row.names = FALSE)
}

# Suppressed cells: two route series with missing months in baselines and in judged months.
s <- read.csv(file.path(shared, "reference", "route_series.csv"), stringsAsFactors = FALSE)
s <- s[s$series %in% c("Western Mediterranean Route", "Eastern Borders Route"), ]
gone <- c("2010-03", "2011-07", "2012-12", "2013-05", "2015-06", "2017-02", "2017-03", "2020-10")
s$observed[s$series == "Western Mediterranean Route" & s$month %in% gone] <- NA
s$observed[s$series == "Eastern Borders Route" & s$month %in% c("2011-01", "2014-08", "2019-04")] <- NA
dir.create("missing-values", showWarnings = FALSE)
write.csv(s, file.path("missing-values", "series.csv"), row.names = FALSE, na = "NA")
