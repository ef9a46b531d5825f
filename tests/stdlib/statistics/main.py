import statistics as st

data = [2, 4, 4, 4, 5, 5, 7, 9]
print(st.mean(data), st.median(data), st.mode(data), st.pstdev(data), st.stdev(data))
print(st.variance(data), st.pvariance(data), st.median_low([1, 3, 5, 7]), st.median_high([1, 3, 5, 7]))
print(st.fmean([1.5, 2.5, 3.0]), st.geometric_mean([1, 10, 100]), st.harmonic_mean([40, 60]))
print(st.multimode("aabbbccddd"), st.quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], n=4))
print(st.mean([0.1, 0.2, 0.3]), st.median_grouped([1, 2, 2, 3, 4, 4, 4, 4, 4, 5]))
x = [1, 2, 3, 4, 5]
y = [2, 4, 5, 4, 5]
print(st.correlation(x, y), st.covariance(x, y), st.linear_regression(x, y))
try:
    st.mean([])
except st.StatisticsError as e:
    print("StatisticsError:", e)
n = st.NormalDist(100, 15)
print(round(n.cdf(115), 10), n.mean, n.stdev, round(n.inv_cdf(0.975), 10))
