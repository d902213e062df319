# Random NB/Poisson quantiles from R (qnbinom with size = mean/(dispersion-1), prob = 1/dispersion; qpois for dispersion 1)
# for DistributionsTests:  Rscript nbinom_quantiles.R  (writes nbinom_quantiles.csv here)
set.seed(20240501)
N <- 1500
mu <- 10^runif(N, -12, 5.5)
phi <- ifelse(runif(N) < 0.15, 1, 1 + 10^runif(N, -6, 5))
p <- sample(c(0.99, 0.5, 0.01, 0.999, 0.9), N, replace = TRUE)
q <- ifelse(phi == 1, qpois(p, mu), qnbinom(p, size = mu/(phi-1), prob = 1/phi))
write.csv(data.frame(p = p, mean = sprintf("%.17g", mu), dispersion = sprintf("%.17g", phi), quantile = q),
          "nbinom_quantiles.csv", row.names = FALSE, quote = FALSE)
