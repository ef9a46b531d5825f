import ipaddress

a = ipaddress.ip_address("192.168.1.10")
print(a, repr(a), a.version, a.is_private, int(a), a + 5, a.packed)
n = ipaddress.ip_network("10.0.0.0/29")
print(n, n.num_addresses, n.netmask, n.broadcast_address, list(n.hosts())[:3], a in n)
print(list(n.subnets(prefixlen_diff=1)), ipaddress.ip_address("10.0.0.3") in n)
v6 = ipaddress.ip_address("2001:db8::1")
print(v6, v6.exploded, v6.version, v6.is_global)
i = ipaddress.ip_interface("192.168.0.5/24")
print(i.network, i.ip, sorted([ipaddress.ip_address("10.0.0.2"), ipaddress.ip_address("9.255.0.1")]))
try:
    ipaddress.ip_address("300.1.1.1")
except ValueError as e:
    print("ValueError:", e)
print(list(ipaddress.summarize_address_range(ipaddress.IPv4Address("10.0.0.0"), ipaddress.IPv4Address("10.0.0.9"))))
