// pkg/util.py:10
pub fn twice(x: i64) -> i64 {
    // pkg/util.py:11
    let s = x * 2;
    // pkg/util.py:12
    let y: i64 = "not a number";
    s + y
}
