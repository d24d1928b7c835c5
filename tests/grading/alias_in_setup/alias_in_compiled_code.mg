fn df(x) {
  total = 0
  k = 0
  while true {
    k += 1
    if k > 2 { break }
    for j in 0..1 { total = total + slope(f, x) / 2 }
  }
  return total
}
