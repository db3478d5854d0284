# ddb_fdw — PostgreSQL foreign data wrapper that writes to Amazon DynamoDB.
#
#   make && make install        build and install into the PostgreSQL that pg_config names
#   make unitcheck              client-side unit tests (SigV4 vectors, response parsers); no PostgreSQL
#   make valgrindcheck          pg_regress with every backend under valgrind memcheck (test/valgrind.sh)
#   bash test/run.sh            everything (what .ci/run and README call)

MODULE_big = ddb_fdw
EXTENSION = ddb_fdw
DATA = sql/ddb_fdw--1.0.sql sql/ddb_fdw--1.1.sql sql/ddb_fdw--1.0--1.1.sql
PGFILEDESC = "ddb_fdw - write-only foreign data wrapper for Amazon DynamoDB"

# PostgreSQL-facing code (ddb_*) and the AWS client it drives (aws_*), which
# needs no PostgreSQL header and is unit-tested on its own.
PG_SRCS = src/ddb_fdw.c src/ddb_option.c src/ddb_convert.c src/ddb_writer.c \
          src/ddb_xact.c src/ddb_bridge.c src/ddb_stats.c src/ddb_forward.c src/ddb_creds.c \
          src/ddb_activity.c src/ddb_pacing.c
AWS_SRCS = src/aws_error.c src/aws_buf.c src/aws_sigv4.c src/aws_http.c \
           src/aws_dynamodb.c src/aws_creds.c src/aws_sts.c src/aws_metadata.c
OBJS = $(PG_SRCS:.c=.o) $(AWS_SRCS:.c=.o)

PG_CPPFLAGS = -I$(srcdir)/src
SHLIB_LINK = -lcurl -lcrypto -ljson-c
PG_CFLAGS = -Wno-declaration-after-statement

# pg_regress suites; test/run.sh starts the DynamoDB servers they talk to.
REGRESS = options scan insert batch delete update types xact ddl keys forward errors badinput signing providers tls retry soak
REGRESS_OPTS = --inputdir=. --load-extension=ddb_fdw

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# 15 or later (tested: 15, 17, 18; 16 compiles but is untested); 13 and 14
# are out of community support
ifneq ($(shell test "$(MAJORVERSION)" -ge 15 2>/dev/null && echo ok),ok)
$(error ddb_fdw needs PostgreSQL 15 or later, but $(PG_CONFIG) is PostgreSQL $(VERSION))
endif

.PHONY: unitcheck
unitcheck:
	$(MAKE) -C test/unit check

.PHONY: print-regress
print-regress:
	@echo $(REGRESS)

# PGXS tracks no header dependencies: a changed struct must rebuild every object
$(OBJS): $(wildcard $(srcdir)/src/*.h)

# optional: the pg_regress suite with every backend under valgrind memcheck
.PHONY: valgrindcheck
valgrindcheck:
	bash test/valgrind.sh
