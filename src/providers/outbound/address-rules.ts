import { isIPv4, isIPv6 } from 'node:net';

/*
 * Which resolved addresses a metric provider may not connect to by default. A metric's URL
 * comes from a pull request, and the controller runs with cluster credentials inside the
 * cloud: link-local addresses (169.254.0.0/16, fe80::/10) hold the instance metadata services
 * that hand out the node's cloud credentials, and a few clouds put theirs elsewhere
 * (AWS's IPv6 fd00:ec2::254, Alibaba's 100.100.100.200). Names such as
 * metadata.google.internal resolve to these, so the rule is on the address, never the name.
 * Pure.
 */

/** Why an address is refused ("link-local", "cloud metadata"), or undefined when it is not. */
export function refusedAddressReason(address: string): string | undefined {
  if (isIPv4(address)) return ipv4Reason(address);
  if (!isIPv6(address)) return undefined;
  const words = ipv6Words(address.replace(/%.*$/u, ''));
  if (words === undefined) return 'unparsable';
  // IPv4-mapped (::ffff:a.b.c.d) and the old IPv4-compatible (::a.b.c.d) forms reach the IPv4 address;
  // NAT64's well-known prefix (64:ff9b::a.b.c.d) reaches it through the gateway.
  const mapped =
    (words.slice(0, 5).every((word) => word === 0) && (words[5] === 0xffff || words[5] === 0)) ||
    (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((word) => word === 0));
  if (mapped && !(words[6] === 0 && (words[7] ?? 0) <= 1)) {
    const [high = 0, low = 0] = [words[6], words[7]];
    return ipv4Reason(`${String(high >> 8)}.${String(high & 0xff)}.${String(low >> 8)}.${String(low & 0xff)}`);
  }
  if (((words[0] ?? 0) & 0xffc0) === 0xfe80) return 'link-local';
  // AWS's IMDS over IPv6: fd00:ec2::254.
  if (words.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':')) return 'cloud metadata';
  return undefined;
}

function ipv4Reason(address: string): string | undefined {
  const [a, b, c, d] = address.split('.').map(Number);
  if (a === 169 && b === 254) return c === 169 && d === 254 ? 'cloud metadata' : 'link-local';
  // Alibaba Cloud's metadata service.
  if (a === 100 && b === 100 && c === 100 && d === 200) return 'cloud metadata';
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (with an embedded IPv4 tail or `::`). */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/u.exec(text);
  if (v4 !== null) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.slice(1).map(Number);
    // The dotted tail is the last two words.
    text = `${text.slice(0, -v4[0].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((word) => Number.parseInt(word, 16));
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const words = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...rest];
  return words.some((word) => Number.isNaN(word)) ? undefined : words;
}
