# ddb_fdw — PostgreSQL foreign data wrapper that writes to Amazon DynamoDB.
#
#   make && make install        build and install into the PostgreSQL that pg_config names
#   make installcheck           pg_regress suites on a throwaway instance of the installed
#                               PostgreSQL, with the DynamoDB servers they need (test/installcheck.sh)
#   make check                  the same before `make install`: against a private copy of
#                               PostgreSQL in ./tmp_install with ddb_fdw installed into it
#   make unitcheck              client-side unit tests (SigV4 vectors, response parsers); no PostgreSQL
#   make valgrindcheck          pg_regress with every backend under valgrind memcheck (test/valgrind.sh)
#   bash test/run.sh            everything (what .ci/run and README call)

MODULE_big = ddb_fdw
EXTENSION = ddb_fdw
# the install script of each release and the update scripts between them
# (ddb_fdw--1.0--1.1.sql says how to add objects; sql/upgrade.sql tests it)
DATA = ddb_fdw--1.0.sql ddb_fdw--1.1.sql ddb_fdw--1.0--1.1.sql
DOCS = README.md
PGFILEDESC = "ddb_fdw - write-only foreign data wrapper for Amazon DynamoDB"

# PostgreSQL-facing code (ddb_*) and the AWS client it drives (aws_*), which
# needs no PostgreSQL header and is unit-tested on its own.
PG_SRCS = src/ddb_fdw.c src/ddb_option.c src/ddb_convert.c src/ddb_writer.c \
          src/ddb_xact.c src/ddb_bridge.c src/ddb_stats.c src/ddb_forward.c src/ddb_creds.c \
          src/ddb_activity.c src/ddb_atomic.c src/ddb_pacing.c
AWS_CLIENT_DIR = src
include $(dir $(lastword $(MAKEFILE_LIST)))src/aws_client.mk
AWS_SRCS = $(AWS_CLIENT_SRCS)
OBJS = $(PG_SRCS:.c=.o) $(AWS_SRCS:.c=.o)

PG_CPPFLAGS = -I$(srcdir)/src
SHLIB_LINK = $(AWS_CLIENT_LIBS)
PG_CFLAGS = -Wno-declaration-after-statement

# pg_regress suites; test/run.sh starts the DynamoDB servers they talk to.
REGRESS = options scan insert batch delete update types xact ddl keys forward errors badinput security signing providers tls retry atomic guard soak upgrade
REGRESS_OPTS = --inputdir=. --load-extension=ddb_fdw
# PGXS's own installcheck would run pg_regress against a running server that
# has neither the DynamoDB servers nor the AWS_* environment the suites give
# the server; test/installcheck.sh provides both (below)
NO_INSTALLCHECK = 1
EXTRA_CLEAN = tmp_install

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# 15 or later (tested: 15, 17, 18; 16 compiles but is untested); 13 and 14
# are out of community support
ifneq ($(shell test "$(MAJORVERSION)" -ge 15 2>/dev/null && echo ok),ok)
$(error ddb_fdw needs PostgreSQL 15 or later, but $(PG_CONFIG) is PostgreSQL $(VERSION))
endif

# VPATH builds (pg_buildext builds each PostgreSQL version in build-NN/):
# the objects' directory must exist there
ifdef VPATH
$(shell mkdir -p src)
endif

# DOCS go to share/doc/.../extension/, shared by every extension: a
# directory of our own keeps README.md from colliding with another one's
docmoduledir = extension/ddb_fdw

.PHONY: installcheck
installcheck:
	bash $(srcdir)/test/installcheck.sh

# PGXS answers `make check` with "not supported"; this one (defined only when
# asked for, as make warns about the overridden recipe) installs into a
# private copy of PostgreSQL instead, so nothing installed is touched
ifneq ($(filter check,$(MAKECMDGOALS)),)
check: all
	bash $(srcdir)/test/installcheck.sh --temp-install $(CURDIR)/tmp_install
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
