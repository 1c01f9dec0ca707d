# builder/media/local.mk: media-embed.o carries builder/media/init.sh and
# gild-install.sh (see media-embed.c).
$(O)/builder/media/media-embed.o: builder/media/init.sh builder/media/gild-install.sh
