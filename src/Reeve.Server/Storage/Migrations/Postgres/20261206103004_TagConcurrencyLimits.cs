using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TagConcurrencyLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "concurrency_limit",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    tag = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    concurrency_limit = table.Column<int>(type: "integer", nullable: false),
                    active_slots = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_concurrency_limit", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_concurrency_limit_tag",
                table: "concurrency_limit",
                column: "tag",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "concurrency_limit");
        }
    }
}
