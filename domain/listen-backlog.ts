/**
 * Pending connections the kernel may queue for accept() on our listeners (the MQTT ports and the
 * HTTP port, which also carries MQTT over WebSocket). A reconnect storm — every device at once
 * after a network blip or a restart — knocks all at once: with Node's default of 511 the kernel
 * drops the SYNs beyond it and the devices come back only on their SYN retries 1, 3, 7, 15 and
 * 31 s later (issue 6: 108,404 ListenOverflows in one storm of 19,000). The kernel caps it at
 * net.core.somaxconn.
 */
export const LISTEN_BACKLOG = 4096;
