using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Blocks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "block_schema_id",
                table: "credentials",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "is_anonymous",
                table: "credentials",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "block_type",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    slug = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    logo_url = table.Column<string>(type: "text", nullable: true),
                    documentation_url = table.Column<string>(type: "text", nullable: true),
                    description = table.Column<string>(type: "text", nullable: true),
                    code_example = table.Column<string>(type: "text", nullable: true),
                    is_protected = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_block_type", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "block_schema",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    checksum = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    fields = table.Column<string>(type: "text", nullable: false),
                    capabilities = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    block_type_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_block_schema", x => x.id);
                    table.ForeignKey(
                        name: "fk_block_schema_block_type_block_type_id",
                        column: x => x.block_type_id,
                        principalTable: "block_type",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_block_schema_block_type_id",
                table: "block_schema",
                column: "block_type_id");

            migrationBuilder.CreateIndex(
                name: "ix_block_schema_checksum_version",
                table: "block_schema",
                columns: new[] { "checksum", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_block_type_name",
                table: "block_type",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_block_type_slug",
                table: "block_type",
                column: "slug",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "block_schema");

            migrationBuilder.DropTable(
                name: "block_type");

            migrationBuilder.DropColumn(
                name: "block_schema_id",
                table: "credentials");

            migrationBuilder.DropColumn(
                name: "is_anonymous",
                table: "credentials");
        }
    }
}
