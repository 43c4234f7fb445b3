/**
 * The n-th of a run's varied member-join bodies: another user (`<tag>-u<n>`)
 * joining one of 100 groups, as real traffic is. Without variation every
 * request is the same member (one row lock in Postgres).
 */
export function variedBody(template, n, tag) {
  return template
    .replace(/"groupID":"[^"]*"/, `"groupID":"bench-g${n % 100}"`)
    .replace(/"inviterUserID":"[^"]*"/, `"inviterUserID":"${tag}-u${n}"`);
}
