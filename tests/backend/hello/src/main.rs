// Stand-in for a generated crate: main.py and util.py, std only.
mod util;

use std::io::Read;

fn main() {
    // main.py:2 (generated code may warn; warnings are counted, not fatal)
    let unused = 0;
    // main.py:4
    let args: Vec<String> = std::env::args().skip(1).collect();
    // main.py:5
    println!("hello, world");
    // main.py:6
    for i in 0..3 {
        // main.py:7
        println!("{} squared is {}", i, util::square(i));
    }
    // main.py:8
    let mut data = String::new();
    std::io::stdin().read_to_string(&mut data).unwrap();
    // main.py:9
    println!("args: {}", args.join(" "));
    // main.py:10
    println!("stdin: {} chars, {} lines", data.chars().count(), data.lines().count());
    // main.py:11
    if args.iter().any(|a| a == "fail") {
        // main.py:12
        eprintln!("failing as asked");
        // main.py:13
        std::process::exit(3);
    }
}
