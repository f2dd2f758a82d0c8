/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages between model_driver and model_worker: one SOCK_SEQPACKET socket
 * per worker thread.  The driver sends a struct cmd, the thread runs it and
 * answers with a struct reply (with a file descriptor, the socket of a new
 * thread or process, for OP_FORK, OP_SPAWN and OP_THREAD).  A worker image
 * that starts (created by the driver, spawned, or after a successful
 * OP_EXEC) first sends a REPLY_HELLO with its observation.
 */

#ifndef MODEL_PROTOCOL_H
#define MODEL_PROTOCOL_H

#include <stdint.h>

#include "model.h"

#define MODEL_DIR "/tmp/model"
#define MODEL_BIN MODEL_DIR "/bin"
/* The abstract unix (datagram) socket of the driver: "\0" NAME ".PID". */
#define MODEL_ABSTRACT "landlock-model"
/* The UID that OP_SETUID switches to. */
#define MODEL_UID 1000
/* Errors a probe did not expect are reported as OBS_ERR_BASE + errno. */
#define OBS_ERR_BASE 1000

struct cmd {
	/* enum op_type */
	uint32_t type;
	int32_t rs;
	uint32_t flags;
	uint16_t rs_value;
	uint8_t dir;
	uint8_t path;
	/* Wait for the other thread of the pair (a process barrier). */
	uint8_t sync;
};

enum reply_kind {
	REPLY_DONE = 1,
	REPLY_HELLO,
};

struct reply {
	uint32_t kind;
	/* 0 or the errno of the operation. */
	int32_t err;
	/* New process (OP_FORK, OP_SPAWN), or this one (REPLY_HELLO). */
	int32_t pid;
	uint8_t has_obs;
	struct obs obs;
};

static const char *const model_paths[NUM_PATHS] = {
	[PATH_WORKER] = MODEL_BIN "/w",
	[PATH_TARGET] = MODEL_BIN "/t",
	[PATH_MISSING] = MODEL_BIN "/missing",
	[PATH_NOEXEC] = MODEL_BIN "/noexec",
	[PATH_GARBAGE] = MODEL_BIN "/garbage",
	[PATH_LOOP] = MODEL_BIN "/loop",
};

#endif /* MODEL_PROTOCOL_H */
