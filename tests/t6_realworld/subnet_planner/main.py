"""Plans subnets for a site from an address block (ipaddress): splits,
assigns by host count, checks overlaps and membership, summarises."""
import ipaddress
from ipaddress import ip_network, ip_address, IPv4Network

SITE = ip_network("10.20.0.0/22")
NEEDS = [("servers", 200), ("office", 100), ("wifi", 60), ("printers", 12), ("links", 2)]


def prefix_for(hosts):
    for p in range(30, 0, -1):
        if 2 ** (32 - p) - 2 >= hosts:
            return p
    raise ValueError(hosts)


def plan(block, needs):
    free = [block]
    out = []
    for name, hosts in sorted(needs, key=lambda x: -x[1]):
        p = prefix_for(hosts)
        free.sort(key=lambda n: (n.prefixlen, n.network_address), reverse=True)
        for i, f in enumerate(free):
            if f.prefixlen <= p:
                free.pop(i)
                subs = list(f.subnets(new_prefix=p))
                out.append((name, hosts, subs[0]))
                rest = list(f.address_exclude(subs[0]))
                free.extend(rest)
                break
        else:
            raise RuntimeError(f"no room for {name}")
    return out, sorted(free)


assigned, free = plan(SITE, NEEDS)
for name, hosts, net in assigned:
    first, last = net[1], net[-2]
    print(f"{name:9} {str(net):18} hosts {net.num_addresses - 2:4d} (need {hosts:3d}) {first} - {last} mask {net.netmask}")
print("free:", ", ".join(map(str, free)))
print("collapsed free:", [str(n) for n in ipaddress.collapse_addresses(free)])
nets = [n for _, _, n in assigned]
print("overlaps:", any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:]))
for probe in ["10.20.1.7", "10.20.3.250", "10.21.0.1"]:
    a = ip_address(probe)
    owner = [name for name, _, n in assigned if a in n]
    print(probe, "->", owner[0] if owner else "outside" if a not in SITE else "unassigned", a.is_private)
print(IPv4Network("192.168.1.0/24").supernet(new_prefix=16), ip_address("192.168.1.1") + 300, int(ip_address("0.0.1.0")))
try:
    ip_network("10.0.0.1/24")
except ValueError as e:
    print("ValueError:", e)
print(sorted([ip_address("10.0.0.10"), ip_address("10.0.0.9"), ip_address("9.255.255.255")]))
